package org.meg.channel;

import java.util.Objects;

/** Level indices {@code l_i in [0, 2^b)} of a block plus its range side information. */
public final class QuantizedBlock {
    private final int[] levels;
    private final float min;
    private final float max;
    private final int bits;

    private QuantizedBlock(int[] levels, float min, float max, int bits) {
        this.levels = levels;
        this.min = min;
        this.max = max;
        this.bits = bits;
    }

    /** Validates and wraps (copies) {@code levels} with range {@code [min, max]} at {@code bits} bits. */
    public static QuantizedBlock of(int[] levels, float min, float max, int bits) {
        Objects.requireNonNull(levels, "levels");
        if (levels.length == 0) {
            throw new IllegalArgumentException("quantised block is empty");
        }
        if (bits < UniformQuantizer.MIN_BITS || bits > UniformQuantizer.MAX_BITS) {
            throw new IllegalArgumentException("quantiser bits must be in 1..16, got " + bits);
        }
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException("range must be finite with min <= max, got [" + min + ", " + max + "]");
        }
        int top = (1 << bits) - 1;
        for (int i = 0; i < levels.length; i++) {
            if (levels[i] < 0 || levels[i] > top) {
                throw new IllegalArgumentException("level " + i + " is " + levels[i] + ", outside 0.." + top);
            }
        }
        return new QuantizedBlock(levels.clone(), min, max, bits);
    }

    /** The same range and bits with other levels (as received after the channel). */
    public QuantizedBlock withLevels(int[] newLevels) {
        return of(newLevels, min, max, bits);
    }

    /** Number of values. */
    public int size() {
        return levels.length;
    }

    /** Level of value {@code i}. */
    public int level(int i) {
        return levels[i];
    }

    /** Copy of all levels. */
    public int[] levels() {
        return levels.clone();
    }

    /** Block minimum (side information). */
    public float min() {
        return min;
    }

    /** Block maximum (side information). */
    public float max() {
        return max;
    }

    /** Bits per value. */
    public int bits() {
        return bits;
    }
}
