package org.meg.channel;

import org.apache.commons.math3.random.RandomGenerator;

/** The lossless channel {@code y = x}; it draws nothing from the generator. */
public final class PerfectChannel implements Channel {
    private static final PerfectChannel INSTANCE = new PerfectChannel();

    private PerfectChannel() {
    }

    /** The lossless channel. */
    public static PerfectChannel of() {
        return INSTANCE;
    }

    @Override
    public ChannelRealisation realise(int symbols, RandomGenerator rng) {
        requirePositive(symbols);
        return new ChannelRealisation() {
            @Override
            public int size() {
                return symbols;
            }

            @Override
            public ComplexSymbols apply(ComplexSymbols x) {
                ChannelRealisation.requireSize(x, symbols);
                return x;
            }
        };
    }

    @Override
    public String toString() {
        return "perfect";
    }

    static void requirePositive(int symbols) {
        if (symbols < 1) {
            throw new IllegalArgumentException("block must have >= 1 symbol, got " + symbols);
        }
    }
}
