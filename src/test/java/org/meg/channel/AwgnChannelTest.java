package org.meg.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.apache.commons.math3.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Noise power against the SNR. With {@code m} complex noise samples of variance {@code N0},
 * {@code sum |n_k|^2 / (N0 / 2)} is chi-square with {@code 2m} degrees of freedom; each check uses
 * the central {@code 1 - 1e-6} interval, so a correct channel fails one try with probability at
 * most 1e-6 per check (budget per run: tries x checks x 1e-6, about 2e-5).
 */
class AwgnChannelTest {
    private static final int M = 100_000;  // complex symbols = 200k real noise samples

    @Property(tries = 5)
    void standardNoisePowerMatchesEsN0(@ForAll @DoubleRange(min = -20, max = 30) double esN0Db, @ForAll long seed) {
        RandomGenerator rng = Randomness.seeded(seed);
        ComplexSymbols x = randomBlock(M, 3.0, rng);  // Es about 9: the channel must follow it
        AwgnChannel ch = AwgnChannel.of(esN0Db);
        double n0 = x.averagePower() / Snr.dbToLinear(esN0Db);
        assertEquals(n0, ch.noiseVariance(x), 1e-12 * n0);
        ComplexSymbols y = ch.transmit(x, rng);
        double sumRe = 0;
        double sumIm = 0;
        for (int k = 0; k < M; k++) {
            double nr = y.re(k) - x.re(k);
            double ni = y.im(k) - x.im(k);
            sumRe += nr * nr;
            sumIm += ni * ni;
        }
        // total: chi2(2m); real dimension alone: chi2(m) (variance N0/2 per real dimension)
        assertWithin((sumRe + sumIm) / (n0 / 2), StatBounds.chiSquare(2 * M, StatBounds.ALPHA));
        assertWithin(sumRe / (n0 / 2), StatBounds.chiSquare(M, StatBounds.ALPHA));
    }

    @Property(tries = 5)
    void semcomNoisePerRealElement(@ForAll @DoubleRange(min = -20, max = 30) double snrDb, @ForAll long seed) {
        RandomGenerator rng = Randomness.seeded(seed);
        float[] v = new float[2 * M - 1];  // odd: the padding must not count in P
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.5 + 2 * rng.nextGaussian());
        }
        ComplexSymbols x = ComplexSymbols.ofReals(v);
        double p = 0;
        for (float f : v) {
            p += (double) f * f;
        }
        p /= v.length;
        AwgnChannel ch = AwgnChannel.of(snrDb, AwgnChannel.Convention.SEMCOM_PER_ELEMENT);
        double variance = p / Snr.dbToLinear(snrDb);
        assertEquals(2 * variance, ch.noiseVariance(x), 1e-9 * variance);
        ComplexSymbols y = ch.transmit(x, rng);
        assertEquals(v.length, y.toReals().length);
        // compare on the received doubles (toReals rounds to float): element i is in symbol i/2
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            double d = (i % 2 == 0 ? y.re(i / 2) : y.im(i / 2)) - v[i];
            s += d * d;
        }
        assertWithin(s / variance, StatBounds.chiSquare(v.length, StatBounds.ALPHA));
    }

    @Property(tries = 20)
    void sameSeedSameNoiseDifferentSeedsDiffer(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int m) {
        ComplexSymbols x = randomBlock(m, 1.0, Randomness.seeded(~seed));
        AwgnChannel ch = AwgnChannel.of(3.0);
        ComplexSymbols a = ch.transmit(x, Randomness.seeded(seed));
        ComplexSymbols b = ch.transmit(x, Randomness.seeded(seed));
        ComplexSymbols c = ch.transmit(x, Randomness.seeded(seed + 1));
        assertArrayEquals(a.realParts(), b.realParts());
        assertArrayEquals(a.imaginaryParts(), b.imaginaryParts());
        assertFalse(Arrays.equals(a.realParts(), c.realParts()));
    }

    @Test
    void realisationIsSeparateFromApplying() {
        AwgnChannel ch = AwgnChannel.of(0.0);
        ComplexSymbols x = randomBlock(64, 1.0, Randomness.seeded(1));
        AwgnNoise noise = ch.realise(64, Randomness.seeded(7));
        // applying the same realisation twice draws nothing and gives the same output
        assertEquals(noise.apply(x), noise.apply(x));
        assertEquals(noise.apply(x), ch.transmit(x, Randomness.seeded(7)));
        // noise scales with the block: doubling x doubles n
        ComplexSymbols n1 = noise.noiseFor(x);
        ComplexSymbols n2 = noise.noiseFor(x.scale(2));
        for (int k = 0; k < 64; k++) {
            assertEquals(2 * n1.re(k), n2.re(k), 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> noise.apply(randomBlock(63, 1.0, Randomness.seeded(2))));
    }

    @Test
    void conventionsAgreeOnEvenBlocks() {
        float[] v = new float[1000];
        RandomGenerator r = Randomness.seeded(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        ComplexSymbols x = ComplexSymbols.ofReals(v);
        ComplexSymbols a = AwgnChannel.of(5.0).transmit(x, Randomness.seeded(9));
        ComplexSymbols b = AwgnChannel.of(5.0, AwgnChannel.Convention.SEMCOM_PER_ELEMENT).transmit(x, Randomness.seeded(9));
        assertArrayEquals(a.realParts(), b.realParts(), 1e-12);
        assertArrayEquals(a.imaginaryParts(), b.imaginaryParts(), 1e-12);
    }

    @Test
    void zeroBlockGetsNoNoise() {
        ComplexSymbols zero = ComplexSymbols.ofReals(new float[10]);
        assertEquals(zero, AwgnChannel.of(-10).transmit(zero, Randomness.seeded(1)));
    }

    @Test
    void perfectChannelIsIdentityAndDrawsNothing() {
        RandomGenerator rng = Randomness.seeded(5);
        ComplexSymbols x = randomBlock(10, 1.0, Randomness.seeded(6));
        assertEquals(x, PerfectChannel.of().transmit(x, rng));
        assertEquals(Randomness.seeded(5).nextLong(), rng.nextLong());
    }

    @Test
    void pairingPadsAndUnpairs() {
        ComplexSymbols x = ComplexSymbols.ofReals(new float[] {1, 2, 3});
        assertEquals(2, x.size());
        assertEquals(3, x.realLength());
        assertEquals(0.0, x.im(1), 0);
        assertArrayEquals(new float[] {1, 2, 3}, x.toReals());
        assertEquals(7.0, x.averagePower(), 0);       // (1 + 4 + 9) / 2 symbols
        assertEquals(14.0 / 3, x.meanRealPower(), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComplexSymbols.ofReals(new float[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    static ComplexSymbols randomBlock(int m, double sd, RandomGenerator rng) {
        double[] re = new double[m];
        double[] im = new double[m];
        for (int k = 0; k < m; k++) {
            re[k] = sd * rng.nextGaussian();
            im[k] = sd * rng.nextGaussian();
        }
        return ComplexSymbols.of(re, im);
    }

    static void assertWithin(double stat, double[] bounds) {
        assertTrue(stat >= bounds[0] && stat <= bounds[1], stat + " outside [" + bounds[0] + ", " + bounds[1] + "]");
    }
}
