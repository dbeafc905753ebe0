package org.meg.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Seeded noise: reproducible per (seed, name), independent of draw order, standard normal. */
class SeededNoiseTest {
    @Test
    void sameSeedAndNameGiveIdenticalBits() {
        float[] a = SeededNoise.of(7).normal("noise", 1, 4, 8, 8).data().asFloat();
        SeededNoise other = SeededNoise.of(7);
        other.normal("posterior_eps", 1, 4, 8, 8);            // a draw in between changes nothing
        float[] b = other.normal("noise", 1, 4, 8, 8).data().asFloat();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, SeededNoise.of(8).normal("noise", 1, 4, 8, 8).data().asFloat()));
        assertFalse(Arrays.equals(a, SeededNoise.of(7).normal("noise2", 1, 4, 8, 8).data().asFloat()));
    }

    @Test
    void momentsAreStandardNormal() {
        // n = 1e5: the sample mean has sd 1/sqrt(n) = 0.0032 and the sample variance sd
        // sqrt(2/n) = 0.0045; bounds of 6 sd fail with probability ~2e-9 per seed.
        INDArray x = SeededNoise.of(123).normal("m", 100_000);
        double mean = x.meanNumber().doubleValue();
        double var = x.varNumber().doubleValue();
        assertEquals(0.0, mean, 6 * 0.0032);
        assertEquals(1.0, var, 6 * 0.0045);
    }
}
