package org.meg.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An immutable latency tree: a {@link Kind#STEP} has its own seconds, a {@link Kind#SEQUENCE}
 * takes the sum of its parts, a {@link Kind#PARALLEL} the maximum (branches that overlap, e.g.
 * edge servers working at once). A plain record, so Jackson writes and reads it as is.
 *
 * @param name    what this span is, e.g. {@code "ES1 denoise"} or {@code "uplink seed"}
 * @param kind    how {@code seconds} follows from {@code parts}
 * @param seconds duration in seconds
 * @param parts   children, empty for a step
 */
public record Timeline(String name, Kind kind, double seconds, List<Timeline> parts) {
    /** How a span's duration is composed. */
    public enum Kind {
        /** A leaf with its own duration. */
        STEP,
        /** Parts one after another: sum. */
        SEQUENCE,
        /** Parts at the same time: maximum. */
        PARALLEL
    }

    /** Validates; a composite's seconds must equal the sum or maximum of its parts. */
    public Timeline {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        parts = List.copyOf(parts);
        if (kind == Kind.STEP) {
            if (!parts.isEmpty()) {
                throw new IllegalArgumentException("step '" + name + "' cannot have parts");
            }
            if (!(seconds >= 0) || Double.isInfinite(seconds)) {
                throw new IllegalArgumentException("step '" + name + "' needs finite seconds >= 0, got " + seconds);
            }
        } else {
            double expected = compose(kind, parts);
            if (Math.abs(seconds - expected) > 1e-9 * Math.max(1.0, expected)) {
                throw new IllegalArgumentException(kind + " '" + name + "' lasts " + expected + " s, not " + seconds);
            }
            seconds = expected;
        }
    }

    /** A leaf of {@code seconds}. */
    public static Timeline step(String name, double seconds) {
        return new Timeline(name, Kind.STEP, seconds, List.of());
    }

    /** Parts one after another: {@code sum t_i}. */
    public static Timeline sequence(String name, List<Timeline> parts) {
        return new Timeline(name, Kind.SEQUENCE, compose(Kind.SEQUENCE, parts), parts);
    }

    /** Parts one after another: {@code sum t_i}. */
    public static Timeline sequence(String name, Timeline... parts) {
        return sequence(name, List.of(parts));
    }

    /** Branches at the same time: {@code max t_i}. */
    public static Timeline parallel(String name, List<Timeline> branches) {
        return new Timeline(name, Kind.PARALLEL, compose(Kind.PARALLEL, branches), branches);
    }

    /** Branches at the same time: {@code max t_i}. */
    public static Timeline parallel(String name, Timeline... branches) {
        return parallel(name, List.of(branches));
    }

    /** An indented text rendering, one span per line. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        render(sb, 0);
        return sb.toString();
    }

    private void render(StringBuilder sb, int depth) {
        String tag = kind == Kind.STEP ? "" : kind == Kind.SEQUENCE ? " [sequence]" : " [parallel]";
        sb.append("  ".repeat(depth)).append(String.format(Locale.ROOT, "%-40s %10.4f s%n", name + tag, seconds));
        for (Timeline p : parts) {
            p.render(sb, depth + 1);
        }
    }

    private static double compose(Kind kind, List<Timeline> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException(kind + " needs at least one part");
        }
        double t = 0;
        for (Timeline p : parts) {
            t = kind == Kind.SEQUENCE ? t + p.seconds() : Math.max(t, p.seconds());
        }
        return t;
    }
}
