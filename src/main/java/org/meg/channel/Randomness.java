package org.meg.channel;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/** The one place a channel random source is made from a seed; everything else takes it injected. */
public final class Randomness {
    private Randomness() {
    }

    /** A fresh WELL19937c generator seeded with {@code seed}: the same seed gives the same draws. */
    public static RandomGenerator seeded(long seed) {
        return new Well19937c(seed);
    }
}
