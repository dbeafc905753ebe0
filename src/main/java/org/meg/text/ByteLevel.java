package org.meg.text;

import java.util.Arrays;

/**
 * GPT-2 byte-to-unicode table: each of the 256 byte values is shown as one printable character, so
 * byte-level BPE can work on ordinary strings without whitespace or control characters.
 *
 * <p>Same table as {@code bytes_to_unicode()} in openai/CLIP {@code clip/simple_tokenizer.py}
 * (commit d05afc4): the printable bytes {@code '!'..'~'}, {@code '¡'..'¬'}, {@code '®'..'ÿ'} map to
 * themselves; the other 68 bytes, in increasing order, map to U+0100, U+0101, ...
 */
final class ByteLevel {

    /** Bytes in table order: the 188 printable ones first, then the remapped ones. */
    private static final int[] ORDER = new int[256];
    /** byte value (0..255) -> its character. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** character (below 0x200) -> byte value, or -1 when the character is not in the table. */
    private static final int[] CHAR_TO_BYTE = new int[0x200];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int k = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintable(b)) {
                ORDER[k++] = b;
                BYTE_TO_CHAR[b] = (char) b;
            }
        }
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            if (!isPrintable(b)) {
                ORDER[k++] = b;
                BYTE_TO_CHAR[b] = (char) (256 + shifted++);
            }
        }
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteLevel() {
    }

    private static boolean isPrintable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The 256 one-character symbols in the order the CLIP vocabulary lists them (ids 0..255). */
    static String[] symbolsInVocabOrder() {
        String[] symbols = new String[256];
        for (int i = 0; i < 256; i++) {
            symbols[i] = String.valueOf(BYTE_TO_CHAR[ORDER[i]]);
        }
        return symbols;
    }

    /** Maps bytes to their table characters, one character per byte. */
    static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** Inverse of {@link #encode}; throws when a character is not in the table. */
    static byte[] decode(CharSequence text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                throw new IllegalArgumentException(
                        "character U+" + Integer.toHexString(c) + " is not a byte-level symbol");
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
