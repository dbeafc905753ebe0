package org.meg.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.apache.commons.math3.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class TransportTest {
    @Property(tries = 30)
    void analogOverPerfectChannelIsExact(@ForAll @IntRange(min = 1, max = 500) int n, @ForAll long seed) {
        float[] v = values(n, Randomness.seeded(seed));
        AnalogTransport t = AnalogTransport.of(PerfectChannel.of());
        Delivery d = t.send(v, Randomness.seeded(1));
        assertArrayEquals(v, d.values());
        assertEquals((n + 1) / 2, d.channelUses());
        assertEquals(t.channelUses(n), d.channelUses());
        assertEquals(AnalogTransport.SCALE_BITS, d.totalBits());
        assertEquals(t.bits(n), d.totalBits());
    }

    /** Normalised analog error: sum (out - v)^2 / (s^2 / (2 snr)) ~ chi2(n); budget 1e-6 per try. */
    @Property(tries = 5)
    void analogErrorFollowsSnr(@ForAll @DoubleRange(min = -10, max = 30) double snrDb, @ForAll long seed) {
        int n = 100_000;
        RandomGenerator rng = Randomness.seeded(seed);
        float[] v = values(n, rng);
        Delivery d = AnalogTransport.of(AwgnChannel.of(snrDb)).send(v, rng);
        double sumSq = 0;
        double err = 0;
        for (int i = 0; i < n; i++) {
            sumSq += (double) v[i] * v[i];
            err += ((double) d.values()[i] - v[i]) * ((double) d.values()[i] - v[i]);
        }
        double perRealVariance = (sumSq / (n / 2)) / (2 * Snr.dbToLinear(snrDb));
        AwgnChannelTest.assertWithin(err / perRealVariance, StatBounds.chiSquare(n, StatBounds.ALPHA));
    }

    @Property(tries = 30)
    void digitalOverPerfectChannelIsQuantisationOnly(@ForAll @IntRange(min = 1, max = 300) int n,
                                                     @ForAll @IntRange(min = 1, max = 16) int bits,
                                                     @ForAll long seed) {
        float[] v = values(n, Randomness.seeded(seed));
        for (Modulation mod : Modulation.values()) {
            DigitalTransport t = DigitalTransport.of(UniformQuantizer.of(bits), RepetitionCode.of(3), mod, PerfectChannel.of());
            Delivery d = t.send(v, Randomness.seeded(2));
            UniformQuantizer q = UniformQuantizer.of(bits);
            assertArrayEquals(q.dequantize(q.quantize(v)), d.values());
            assertEquals((long) n * bits, d.payloadBits());
            assertEquals(UniformQuantizer.SIDE_INFORMATION_BITS, d.sideInformationBits());
            assertEquals(mod.symbolsFor(3L * n * bits), d.channelUses());
            assertEquals(t.channelUses(n), d.channelUses());
            assertEquals(t.bits(n), d.totalBits());
            assertEquals(0, d.bitErrors());
        }
    }

    @Test
    void digitalAtLowSnrMakesErrorsAndCodingHelps() {
        float[] v = values(20_000, Randomness.seeded(4));
        Channel ch = AwgnChannel.of(2.0);
        Delivery raw = DigitalTransport.uncoded(8, Modulation.QPSK, ch).send(v, Randomness.seeded(5));
        Delivery coded = DigitalTransport.of(UniformQuantizer.of(8), RepetitionCode.of(5), Modulation.QPSK, ch)
                .send(v, Randomness.seeded(5));
        assertTrue(raw.bitErrorRate() > 0.01, "raw BER " + raw.bitErrorRate());
        assertTrue(coded.bitErrorRate() < raw.bitErrorRate() / 2, coded.bitErrorRate() + " vs " + raw.bitErrorRate());
        assertEquals(5 * raw.channelUses(), coded.channelUses());
    }

    @Test
    void sameSeedSameDelivery() {
        float[] v = values(999, Randomness.seeded(8));
        Transport a = AnalogTransport.of(RayleighBlockFading.of(AwgnChannel.of(0.0), 16));
        Transport d = DigitalTransport.uncoded(4, Modulation.QAM16, AwgnChannel.of(6.0));
        for (Transport t : new Transport[] {a, d}) {
            assertArrayEquals(t.send(v, Randomness.seeded(3)).values(), t.send(v, Randomness.seeded(3)).values());
        }
    }

    @Test
    void badBlocksAreNamed() {
        Transport t = AnalogTransport.of(AwgnChannel.of(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.send(new float[0], Randomness.seeded(1)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> t.send(new float[] {0, Float.POSITIVE_INFINITY}, Randomness.seeded(1)));
        assertTrue(e.getMessage().contains("value 1"), e.getMessage());
    }

    @Test
    void zeroBlockSurvivesAnalog() {
        Delivery d = AnalogTransport.of(AwgnChannel.of(-20)).send(new float[7], Randomness.seeded(1));
        assertArrayEquals(new float[7], d.values());
    }

    private static float[] values(int n, RandomGenerator r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.3 + 1.7 * r.nextGaussian());
        }
        return v;
    }
}
