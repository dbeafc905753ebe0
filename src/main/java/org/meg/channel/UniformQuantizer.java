package org.meg.channel;

/**
 * Uniform scalar quantiser with {@code b} bits over the block's own range {@code [min, max]}.
 *
 * <p>{@code L = 2^b} reconstruction levels {@code r_l = min + l D}, {@code l = 0..L-1}, with step
 * {@code D = (max - min) / (L - 1)}, so both ends are reproduced exactly. Quantising maps
 * {@code v} to the nearest level, {@code l = round((v - min) / D)}; dequantising returns
 * {@code r_l}. Hence {@code |v - r_l| <= D / 2} (up to float rounding of the output). A constant
 * block has {@code D = 0} and comes back exactly. {@code min} and {@code max} travel as lossless
 * side information, {@value #SIDE_INFORMATION_BITS} bits (two float32).
 */
public final class UniformQuantizer {
    /** Fewest bits per value. */
    public static final int MIN_BITS = 1;
    /** Most bits per value. */
    public static final int MAX_BITS = 16;
    /** Side-information bits per block: {@code min} and {@code max} as float32. */
    public static final int SIDE_INFORMATION_BITS = 64;

    private final int bits;

    private UniformQuantizer(int bits) {
        this.bits = bits;
    }

    /** A quantiser with {@code bits} bits per value, {@value #MIN_BITS}..{@value #MAX_BITS}. */
    public static UniformQuantizer of(int bits) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("quantiser bits must be in " + MIN_BITS + ".." + MAX_BITS + ", got " + bits);
        }
        return new UniformQuantizer(bits);
    }

    /** Bits per value {@code b}. */
    public int bits() {
        return bits;
    }

    /** Number of levels {@code L = 2^b}. */
    public int levels() {
        return 1 << bits;
    }

    /** Step {@code D = (max - min) / (2^b - 1)}. */
    public double step(float min, float max) {
        return ((double) max - min) / (levels() - 1);
    }

    /** Quantises a non-empty, finite block to level indices over its own range. */
    public QuantizedBlock quantize(float[] values) {
        Transport.requireFiniteBlock(values);
        float min = values[0];
        float max = values[0];
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double step = step(min, max);
        int top = levels() - 1;
        int[] levels = new int[values.length];
        if (step > 0) {
            for (int i = 0; i < values.length; i++) {
                long l = Math.round((values[i] - (double) min) / step);
                levels[i] = (int) Math.max(0, Math.min(top, l));
            }
        }
        return QuantizedBlock.of(levels, min, max, bits);
    }

    /** Reconstruction {@code r_l = min + l D} for each level of {@code q}. */
    public float[] dequantize(QuantizedBlock q) {
        if (q.bits() != bits) {
            throw new IllegalArgumentException("block quantised with " + q.bits() + " bits given to a "
                    + bits + "-bit quantiser");
        }
        double step = step(q.min(), q.max());
        float[] out = new float[q.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (q.min() + q.level(i) * step);
        }
        return out;
    }
}
