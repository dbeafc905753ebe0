package org.meg.channel;

import java.util.Arrays;
import java.util.Objects;

/**
 * Gray-mapped square constellations with unit average energy {@code Es = 1} and hard-decision
 * (nearest point) demodulation.
 *
 * <p>Each axis is a Gray-labelled {@code M}-PAM with {@code p} bits: the axis word {@code g}
 * (MSB first) has index {@code i = gray^-1(g)} and amplitude {@code (M - 1 - 2i) a}, so bit 0 maps
 * to the positive side and neighbours differ in one bit. BPSK uses only I ({@code p = 1},
 * {@code a = 1}); QPSK puts one bit on I then one on Q ({@code a = 1/sqrt 2}); 16-QAM two bits on
 * I then two on Q ({@code a = 1/sqrt 10}). In general {@code a^2 = 3 / (axes (M^2 - 1))}.
 */
public enum Modulation {
    /** 1 bit per symbol on the real axis: {@code 0 -> +1, 1 -> -1}. */
    BPSK(1, 1),
    /** 2 bits per symbol, one per axis: {@code (b0, b1) -> ((1 - 2 b0) + j (1 - 2 b1)) / sqrt 2}. */
    QPSK(2, 1),
    /** 4 bits per symbol, two Gray bits per axis on {@code {+3, +1, -1, -3} / sqrt 10}. */
    QAM16(4, 2);

    private final int bitsPerSymbol;
    private final int bitsPerAxis;
    private final int pamLevels;
    private final double amplitude;

    Modulation(int bitsPerSymbol, int bitsPerAxis) {
        this.bitsPerSymbol = bitsPerSymbol;
        this.bitsPerAxis = bitsPerAxis;
        this.pamLevels = 1 << bitsPerAxis;
        int axes = bitsPerSymbol / bitsPerAxis;
        this.amplitude = Math.sqrt(3.0 / (axes * (pamLevels * pamLevels - 1.0)));
    }

    /** Bits per symbol {@code k}. */
    public int bitsPerSymbol() {
        return bitsPerSymbol;
    }

    /** Symbols for {@code bitCount} bits: {@code ceil(bitCount / k)}. */
    public long symbolsFor(long bitCount) {
        return (bitCount + bitsPerSymbol - 1) / bitsPerSymbol;
    }

    /** Maps bits to symbols, {@code k} bits each; a short last group is padded with zero bits. */
    public ComplexSymbols modulate(boolean[] bits) {
        Objects.requireNonNull(bits, "bits");
        ComplexSymbols.requireNonEmpty(bits.length, "bit block");
        int m = (int) symbolsFor(bits.length);
        double[] re = new double[m];
        double[] im = new double[m];
        for (int s = 0; s < m; s++) {
            int base = s * bitsPerSymbol;
            re[s] = axisAmplitude(bits, base);
            im[s] = bitsPerSymbol == 1 ? 0.0 : axisAmplitude(bits, base + bitsPerAxis);
        }
        return ComplexSymbols.wrap(re, im, 2 * m);
    }

    /** Hard decisions for the first {@code bitCount} bits carried by {@code y}. */
    public boolean[] demodulate(ComplexSymbols y, int bitCount) {
        if (bitCount < 0 || symbolsFor(bitCount) > y.size()) {
            throw new IllegalArgumentException(bitCount + " bits do not fit " + y.size() + " " + this + " symbols");
        }
        boolean[] out = new boolean[(int) symbolsFor(bitCount) * bitsPerSymbol];
        for (int s = 0; s < symbolsFor(bitCount); s++) {
            int base = s * bitsPerSymbol;
            axisDecide(y.re(s), out, base);
            if (bitsPerSymbol > 1) {
                axisDecide(y.im(s), out, base + bitsPerAxis);
            }
        }
        return bitCount == out.length ? out : Arrays.copyOf(out, bitCount);
    }

    /**
     * Exact bit error rate of Gray mapping with hard decisions on AWGN at {@code Eb/N0} (linear):
     * BPSK, QPSK {@code Q(sqrt(2 Eb/N0))}; 16-QAM {@code (3Q(x) + 2Q(3x) - Q(5x)) / 4},
     * {@code x = sqrt(4 Eb / (5 N0))}, whose leading term {@code 3/4 Q(x)} is the usual approximation.
     */
    public double theoreticalBer(double ebN0) {
        if (this != QAM16) {
            return Snr.bpskBer(ebN0);
        }
        double x = Math.sqrt(0.8 * ebN0);
        return (3 * Snr.qFunction(x) + 2 * Snr.qFunction(3 * x) - Snr.qFunction(5 * x)) / 4;
    }

    /** Amplitude of the axis word starting at {@code bits[from]} (missing bits read as 0). */
    private double axisAmplitude(boolean[] bits, int from) {
        int g = 0;
        for (int j = 0; j < bitsPerAxis; j++) {
            int at = from + j;
            g = (g << 1) | (at < bits.length && bits[at] ? 1 : 0);
        }
        int i = GrayCode.decode(g);
        return (pamLevels - 1 - 2 * i) * amplitude;
    }

    /** Nearest PAM index to {@code v}, written as its Gray word at {@code out[from]}. */
    private void axisDecide(double v, boolean[] out, int from) {
        long i = Math.round((pamLevels - 1 - v / amplitude) / 2.0);
        int g = GrayCode.encode((int) Math.max(0, Math.min(pamLevels - 1, i)));
        for (int j = 0; j < bitsPerAxis; j++) {
            out[from + j] = ((g >>> (bitsPerAxis - 1 - j)) & 1) != 0;
        }
    }
}
