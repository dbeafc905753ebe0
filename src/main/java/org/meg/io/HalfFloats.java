package org.meg.io;

/** IEEE 754 binary16 conversions (Java 17 has no {@code Float.float16ToFloat}). */
final class HalfFloats {
    private HalfFloats() {
    }

    /** Widens binary16 bits to the exactly equal float32. */
    static float f16ToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Rounds float32 to the nearest binary16 (round half to even), as bits. */
    static short floatToF16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int exp = ((x >>> 23) & 0xff) - 127 + 15;
        int mant = x & 0x7fffff;
        if (((x >>> 23) & 0xff) == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        if (exp >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - exp;
            int half = 1 << (shift - 1);
            int r = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            if (rem > half || (rem == half && (r & 1) != 0)) {
                r++;
            }
            return (short) (sign | r);
        }
        int r = (exp << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (r & 1) != 0)) {
            r++;
        }
        return (short) (sign | r);
    }
}
