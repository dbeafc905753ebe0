package org.meg.channel;

/** Packing integer levels into bit strings (natural binary, most significant bit first). */
public final class Bits {
    private Bits() {
    }

    /** Bits of each level, {@code width} per level, MSB first: {@code n width} bits. */
    public static boolean[] fromLevels(int[] levels, int width) {
        long total = (long) levels.length * width;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(levels.length + " values at " + width + " bits exceed one bit array");
        }
        boolean[] out = new boolean[(int) total];
        for (int i = 0; i < levels.length; i++) {
            for (int j = 0; j < width; j++) {
                out[i * width + j] = ((levels[i] >>> (width - 1 - j)) & 1) != 0;
            }
        }
        return out;
    }

    /** Inverse of {@link #fromLevels}: {@code count} levels of {@code width} bits each. */
    public static int[] toLevels(boolean[] bits, int count, int width) {
        if ((long) count * width > bits.length) {
            throw new IllegalArgumentException(count + " levels of " + width + " bits need more than " + bits.length + " bits");
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            int l = 0;
            for (int j = 0; j < width; j++) {
                l = (l << 1) | (bits[i * width + j] ? 1 : 0);
            }
            out[i] = l;
        }
        return out;
    }

    /** Positions where {@code a} and {@code b} differ (equal lengths). */
    public static long countErrors(boolean[] a, boolean[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("bit strings differ in length: " + a.length + " vs " + b.length);
        }
        long e = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                e++;
            }
        }
        return e;
    }
}
