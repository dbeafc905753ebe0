package org.meg.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.commons.math3.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Block fading: structure, perfect-CSI equalisation, and the Rayleigh BPSK BER (budget 1e-6 per try). */
class RayleighBlockFadingTest {
    @Property(tries = 20)
    void coefficientsAreConstantPerBlock(@ForAll @IntRange(min = 1, max = 40) int blockLength, @ForAll long seed) {
        RayleighBlockFading ch = RayleighBlockFading.of(AwgnChannel.of(300.0), blockLength);
        ComplexSymbols ones = ComplexSymbols.of(filled(97, 1.0), new double[97]);
        FadingRealisation f = ch.realise(97, Randomness.seeded(seed));
        assertEquals((97 + blockLength - 1) / blockLength, f.blocks());
        ComplexSymbols y = f.receive(ones);  // noise ~1e-15: y_k = h_b
        for (int k = 0; k < 97; k++) {
            assertEquals(f.coefficientRe(k / blockLength), y.re(k), 1e-9);
            assertEquals(f.coefficientIm(k / blockLength), y.im(k), 1e-9);
        }
        // zero-forcing with perfect CSI undoes h
        ComplexSymbols x = AwgnChannelTest.randomBlock(97, 1.0, Randomness.seeded(~seed));
        ComplexSymbols e = f.apply(x);
        for (int k = 0; k < 97; k++) {
            assertEquals(x.re(k), e.re(k), 1e-6);
            assertEquals(x.im(k), e.im(k), 1e-6);
        }
    }

    @Property(tries = 4)
    void bpskBerMatchesRayleighClosedForm(@ForAll long seed) {
        // L = 1: independent fades per symbol; BER = (1 - sqrt(g / (1 + g))) / 2, g = Eb/N0
        int n = 200_000;
        double g = Snr.dbToLinear(10.0);
        RandomGenerator rng = Randomness.seeded(seed);
        boolean[] bits = new boolean[n];
        for (int i = 0; i < n; i++) {
            bits[i] = rng.nextBoolean();
        }
        RayleighBlockFading ch = RayleighBlockFading.of(AwgnChannel.of(10.0), 1);
        boolean[] hard = Modulation.BPSK.demodulate(ch.transmit(Modulation.BPSK.modulate(bits), rng), n);
        long errors = Bits.countErrors(bits, hard);
        double ber = 0.5 * (1 - Math.sqrt(g / (1 + g)));
        long[] b = StatBounds.binomial(n, ber, StatBounds.ALPHA);
        assertTrue(errors >= b[0] && errors <= b[1], errors + " errors, bounds [" + b[0] + ", " + b[1] + "]");
    }

    @Test
    void rejectsBadBlockLength() {
        assertThrows(IllegalArgumentException.class, () -> RayleighBlockFading.of(AwgnChannel.of(0), 0));
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
