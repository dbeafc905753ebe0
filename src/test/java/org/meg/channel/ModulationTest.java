package org.meg.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.commons.math3.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Uncoded BER on AWGN against the closed forms. Every constellation label is sent equally often
 * (in shuffled order), so the block's measured Es is exactly 1 and the expected error count is
 * {@code n BER}; the count is then a sum of independent Bernoullis with mean {@code n BER}, which
 * (Hoeffding 1956) is no more spread than Binomial(n, BER), so the central binomial interval at
 * 1e-6 bounds the failure probability of each try by 1e-6.
 */
class ModulationTest {
    private static final int BITS = 240_000;  // divisible by 1, 2, 4 bits and by 16 labels

    @ParameterizedTest
    @EnumSource(Modulation.class)
    void unitEnergyAndGrayNeighbours(Modulation mod) {
        int k = mod.bitsPerSymbol();
        int labels = 1 << k;
        ComplexSymbols all = mod.modulate(Bits.fromLevels(allLabels(k, 1), k));
        assertEquals(1.0, all.averagePower(), 1e-12);
        // nearest distinct points carry labels one bit apart
        double dmin = Double.MAX_VALUE;
        for (int a = 0; a < labels; a++) {
            for (int b = a + 1; b < labels; b++) {
                dmin = Math.min(dmin, dist(all, a, b));
            }
        }
        for (int a = 0; a < labels; a++) {
            for (int b = a + 1; b < labels; b++) {
                if (dist(all, a, b) < dmin * (1 + 1e-9)) {
                    assertEquals(1, Integer.bitCount(a ^ b), mod + " neighbours " + a + ", " + b);
                }
            }
        }
    }

    @Property(tries = 30)
    void noiselessRoundTrip(@ForAll("modulations") Modulation mod, @ForAll long seed) {
        RandomGenerator r = Randomness.seeded(seed);
        boolean[] bits = new boolean[1 + r.nextInt(100)];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = r.nextBoolean();
        }
        ComplexSymbols x = mod.modulate(bits);
        assertEquals(mod.symbolsFor(bits.length), x.size());
        assertArrayEquals(bits, mod.demodulate(x, bits.length));
    }

    @Property(tries = 12)
    void berMatchesTheory(@ForAll("modulations") Modulation mod, @ForAll("ebN0Db") double ebN0Db, @ForAll long seed) {
        RandomGenerator rng = Randomness.seeded(seed);
        int k = mod.bitsPerSymbol();
        int[] labels = allLabels(k, BITS / k / (1 << k));
        shuffle(labels, rng);
        boolean[] bits = Bits.fromLevels(labels, k);
        double esN0Db = ebN0Db + Snr.linearToDb(k);
        ComplexSymbols y = AwgnChannel.of(esN0Db).transmit(mod.modulate(bits), rng);
        long errors = Bits.countErrors(bits, mod.demodulate(y, bits.length));
        double ber = mod.theoreticalBer(Snr.dbToLinear(ebN0Db));
        long[] b = StatBounds.binomial(BITS, ber, StatBounds.ALPHA);
        assertTrue(errors >= b[0] && errors <= b[1],
                mod + " at " + ebN0Db + " dB: " + errors + " errors, expected " + BITS * ber + " in [" + b[0] + ", " + b[1] + "]");
    }

    @Test
    void qam16NearItsApproximation() {
        for (double db = 6; db <= 14; db += 2) {
            double ebN0 = Snr.dbToLinear(db);
            double approx = 0.75 * Snr.qFunction(Math.sqrt(0.8 * ebN0));
            double exact = Modulation.QAM16.theoreticalBer(ebN0);
            assertEquals(approx, exact, 1e-3 * exact, "at " + db + " dB");
        }
        assertEquals(Snr.bpskBer(4.0), Modulation.QPSK.theoreticalBer(4.0), 0);
    }

    @Provide
    Arbitrary<Modulation> modulations() {
        return Arbitraries.of(Modulation.class);
    }

    @Provide
    Arbitrary<Double> ebN0Db() {
        return Arbitraries.of(0.0, 2.0, 4.0, 6.0, 8.0);
    }

    /** Each label {@code 0..2^k-1} {@code copies} times. */
    private static int[] allLabels(int k, int copies) {
        int n = 1 << k;
        int[] out = new int[n * copies];
        for (int i = 0; i < out.length; i++) {
            out[i] = i % n;
        }
        return out;
    }

    private static void shuffle(int[] a, RandomGenerator r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static double dist(ComplexSymbols s, int a, int b) {
        return Math.hypot(s.re(a) - s.re(b), s.im(a) - s.im(b));
    }
}
