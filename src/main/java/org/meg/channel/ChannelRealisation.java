package org.meg.channel;

/** One drawn state of a channel for a block of fixed length; applying it uses no randomness. */
public interface ChannelRealisation {
    /** Block length in complex channel uses. */
    int size();

    /** What the receiver hands on for transmitted block {@code x} (same length as {@link #size()}). */
    ComplexSymbols apply(ComplexSymbols x);

    /** Throws unless {@code x} has {@code size} symbols. */
    static void requireSize(ComplexSymbols x, int size) {
        if (x.size() != size) {
            throw new IllegalArgumentException("block of " + x.size()
                    + " symbols given to a realisation drawn for " + size);
        }
    }
}
