package org.meg.protocol.dsl;

/** A protocol script is malformed or invalid; the message names the line and the step. */
public final class ProtocolException extends RuntimeException {
    private final int line;

    /** An error at a script line (0 when it concerns the whole script). */
    public ProtocolException(int line, String text, String problem) {
        super(line > 0 ? "line " + line + " '" + text + "': " + problem : problem);
        this.line = line;
    }

    /** The 1-based line, or 0. */
    public int line() {
        return line;
    }
}
