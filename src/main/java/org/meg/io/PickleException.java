package org.meg.io;

/** A pickle stream is malformed, truncated, or asks for something the restricted unpickler refuses. */
public final class PickleException extends RuntimeException {
    /** Creates the exception with a message that names the byte offset of the problem. */
    public PickleException(String message) {
        super(message);
    }
}
