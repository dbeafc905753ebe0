package org.meg.protocol.dsl;

/**
 * Where a step runs or a value is sent: the user equipment, one edge server, or every ES.
 *
 * <p>Script spelling: {@code UE}, {@code ES} (the same as {@code ES1}), {@code ES1..ESn},
 * {@code ES*} (each ES, independently and in parallel).
 */
public record Node(Kind kind, int index) {
    /** The three kinds of node reference. */
    public enum Kind { UE, ES, EACH_ES }

    /** The user equipment. */
    public static final Node UE = new Node(Kind.UE, 0);
    /** Every edge server. */
    public static final Node EACH_ES = new Node(Kind.EACH_ES, 0);

    /** Edge server i (1-based). */
    public static Node es(int i) {
        if (i < 1) {
            throw new IllegalArgumentException("ES index must be >= 1, got " + i);
        }
        return new Node(Kind.ES, i);
    }

    /** Parses a script node name; null if it is not one. */
    static Node parse(String s) {
        if (s.equals("UE")) {
            return UE;
        }
        if (s.equals("ES")) {
            return es(1);
        }
        if (s.equals("ES*")) {
            return EACH_ES;
        }
        if (s.matches("ES[1-9][0-9]*")) {
            return es(Integer.parseInt(s.substring(2)));
        }
        return null;
    }

    /** Whether this is the UE. */
    public boolean isUe() {
        return kind == Kind.UE;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case UE -> "UE";
            case ES -> "ES" + index;
            case EACH_ES -> "ES*";
        };
    }
}
