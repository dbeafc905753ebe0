package org.meg.channel;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable block of complex channel symbols {@code x[0..m)}, one per complex channel use.
 *
 * <p>Real data is paired as {@code x[k] = v[2k] + j v[2k+1]}; an odd count is padded with one
 * zero imaginary part. {@link #realLength()} remembers how many real values the block carries,
 * so {@link #toReals()} drops the padding again.
 */
public final class ComplexSymbols {
    private final double[] re;
    private final double[] im;
    private final int realLength;

    private ComplexSymbols(double[] re, double[] im, int realLength) {
        this.re = re;
        this.im = im;
        this.realLength = realLength;
    }

    /** Pairs real values into {@code ceil(n / 2)} symbols, padding an odd count with one zero. */
    public static ComplexSymbols ofReals(float[] values) {
        return ofReals(values, 1.0);
    }

    /** Pairs {@code g v[i]} into symbols, as {@link #ofReals(float[])}. */
    static ComplexSymbols ofReals(float[] values, double g) {
        requireNonEmpty(Objects.requireNonNull(values, "values").length, "real block");
        int m = (values.length + 1) / 2;
        double[] re = new double[m];
        double[] im = new double[m];
        for (int k = 0; k < m; k++) {
            re[k] = g * values[2 * k];
            im[k] = 2 * k + 1 < values.length ? g * values[2 * k + 1] : 0.0;
        }
        return new ComplexSymbols(re, im, values.length);
    }

    /** A block from real and imaginary parts of equal length (copied); it carries {@code 2m} reals. */
    public static ComplexSymbols of(double[] re, double[] im) {
        requireNonEmpty(Objects.requireNonNull(re, "re").length, "symbol block");
        if (Objects.requireNonNull(im, "im").length != re.length) {
            throw new IllegalArgumentException("real and imaginary parts differ in length: "
                    + re.length + " vs " + im.length);
        }
        return new ComplexSymbols(re.clone(), im.clone(), 2 * re.length);
    }

    /** Wraps arrays this package has just filled, without copying. */
    static ComplexSymbols wrap(double[] re, double[] im, int realLength) {
        return new ComplexSymbols(re, im, realLength);
    }

    /** Number of symbols {@code m} = complex channel uses. */
    public int size() {
        return re.length;
    }

    /** Number of real values carried: {@code 2m}, or {@code 2m - 1} when the last one is padding. */
    public int realLength() {
        return realLength;
    }

    /** Real part of symbol {@code k}. */
    public double re(int k) {
        return re[k];
    }

    /** Imaginary part of symbol {@code k}. */
    public double im(int k) {
        return im[k];
    }

    /** Mean energy per symbol {@code Es = (1/m) sum |x_k|^2} (padding included). */
    public double averagePower() {
        return sumOfSquares() / re.length;
    }

    /** Mean power per real element {@code P = (1/n) sum v_i^2} over the {@code n} carried reals. */
    public double meanRealPower() {
        return sumOfSquares() / realLength;
    }

    /** The block times a real gain {@code g}: {@code g x_k}. */
    public ComplexSymbols scale(double g) {
        double[] r = new double[re.length];
        double[] i = new double[im.length];
        for (int k = 0; k < re.length; k++) {
            r[k] = g * re[k];
            i[k] = g * im[k];
        }
        return new ComplexSymbols(r, i, realLength);
    }

    /** Unpairs into the {@link #realLength()} real values, dropping the padding. */
    public float[] toReals() {
        return toReals(1.0);
    }

    /** Unpairs {@code g x} into reals, as {@link #toReals()}. */
    float[] toReals(double g) {
        float[] out = new float[realLength];
        for (int k = 0; k < re.length; k++) {
            out[2 * k] = (float) (g * re[k]);
            if (2 * k + 1 < realLength) {
                out[2 * k + 1] = (float) (g * im[k]);
            }
        }
        return out;
    }

    /** Copy of the real parts. */
    public double[] realParts() {
        return re.clone();
    }

    /** Copy of the imaginary parts. */
    public double[] imaginaryParts() {
        return im.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComplexSymbols c && realLength == c.realLength
                && Arrays.equals(re, c.re) && Arrays.equals(im, c.im);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(re) + Arrays.hashCode(im)) + realLength;
    }

    private double sumOfSquares() {
        double s = 0;
        for (int k = 0; k < re.length; k++) {
            s += re[k] * re[k] + im[k] * im[k];
        }
        return s;
    }

    static void requireNonEmpty(int length, String what) {
        if (length == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
    }
}
