package org.meg.channel;

/** Binary-reflected Gray code: adjacent integers map to words one bit apart. */
public final class GrayCode {
    private GrayCode() {
    }

    /** {@code g = n XOR (n >>> 1)}. */
    public static int encode(int n) {
        return n ^ (n >>> 1);
    }

    /** Inverse of {@link #encode}: {@code n = g XOR (g >>> 1) XOR (g >>> 2) XOR ...}. */
    public static int decode(int g) {
        int n = g;
        for (int shift = 1; shift < Integer.SIZE; shift <<= 1) {
            n ^= n >>> shift;
        }
        return n;
    }
}
