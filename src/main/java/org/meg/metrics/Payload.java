package org.meg.metrics;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Sizes of the messages MEG protocols exchange, in bits, as the paper's Fig. 6 counts them
 * (raw samples, no compression or side information). For example a 240x240 RGB image at 8 bits is
 * 1,382,400 bits, a 4x30x30 latent seed at 8 bits 28,800 bits, a 120x120 RGB sketch 345,600 bits.
 */
public final class Payload {
    private Payload() {
    }

    /** {@code count b}: {@code count} samples at {@code bitsPerValue} bits. */
    public static long tensorBits(long count, int bitsPerValue) {
        if (count < 1) {
            throw new IllegalArgumentException("a payload needs >= 1 value, got " + count);
        }
        if (bitsPerValue < 1 || bitsPerValue > 64) {
            throw new IllegalArgumentException("bits per value must be in 1..64, got " + bitsPerValue);
        }
        return Math.multiplyExact(count, bitsPerValue);
    }

    /** {@code W H C b}: an image of {@code channels} planes. */
    public static long imageBits(int width, int height, int channels, int bitsPerValue) {
        return tensorBits(count("width", width) * count("height", height) * count("channels", channels), bitsPerValue);
    }

    /** {@code W H 3 b}: an RGB image. */
    public static long rgbImageBits(int width, int height, int bitsPerValue) {
        return imageBits(width, height, 3, bitsPerValue);
    }

    /** {@code C H W b}: a latent tensor. */
    public static long latentBits(int channels, int height, int width, int bitsPerValue) {
        return tensorBits(count("channels", channels) * count("height", height) * count("width", width), bitsPerValue);
    }

    /** {@code 8 * (UTF-8 byte count)} of {@code text}. */
    public static long textBits(String text) {
        return 8L * Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8).length;
    }

    private static long count(String what, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + n);
        }
        return n;
    }
}
