package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

/** The Vector API kernels' exp, exp2 and erf against {@code Math.exp}, {@code Math.pow} and Commons Math's erf, and their determinism. */
class VectorKernelsTest {
    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();

    @Test
    void expIsWithinOnePointFiveUlpDownToTheSmallestNormal() {
        // 2^20 points in [-90, 89]: relative error <= 1.5 ulp of 1 (2^-23) wherever e^x is a normal
        // float; below the smallest normal the result is 0 (an absolute error under 1.2e-38).
        SplittableRandom rnd = new SplittableRandom(1);
        float[] x = new float[1 << 20];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (-90 + 178 * rnd.nextDouble());
        }
        x[0] = 0f;
        x[1] = -87.33654f;                                              // e^x = the smallest normal
        x[2] = 88.37f;
        float[] y = apply(x, v -> VectorKernels.exp(v));
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            if (x[i] > 88.376f) {
                continue;                                                 // capped, see VectorKernels.exp
            }
            double tolerance = want < Float.MIN_NORMAL ? Float.MIN_NORMAL : 1.5 * Math.ulp(1f) * want;
            assertEquals(want, y[i], tolerance, "exp(" + x[i] + ")");
        }
        assertEquals(1f, y[0], 0f, "e^0 is exactly 1");
    }

    @Test
    void theInlinedLoopIsExpBitForBit() {
        // The strided walk of expShifted gives the bits of exp(x - shift) one vector at a time (exp is
        // expShifted on a single vector), leaves the entries between the strides alone, and adds the
        // lane sums in the walk's order.
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom rnd = new SplittableRandom(2);
        float[] a = new float[lanes * 2 * 50];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (-100 + 120 * rnd.nextDouble());
        }
        float[] shift = new float[lanes];
        for (int i = 0; i < lanes; i++) {
            shift[i] = (float) (10 * rnd.nextDouble());
        }
        float[] x = a.clone();
        float[] sums = new float[lanes];
        VectorKernels.expShifted(a, lanes, a.length, 2 * lanes, shift, 0, sums, 0);
        float[] want = new float[lanes];
        for (int p = lanes; p < a.length; p += 2 * lanes) {
            float[] shifted = new float[lanes];
            for (int l = 0; l < lanes; l++) {
                shifted[l] = x[p + l] - shift[l];
            }
            float[] e = apply(shifted, v -> VectorKernels.exp(v));
            for (int l = 0; l < lanes; l++) {
                assertEquals(e[l], a[p + l], 0f, "at " + (p + l));
                want[l] += e[l];
                assertEquals(x[p - lanes + l], a[p - lanes + l], 0f, "untouched at " + (p - lanes + l));
            }
        }
        for (int l = 0; l < lanes; l++) {
            assertEquals(want[l], sums[l], 0f, "sum of lane " + l);
        }
    }

    @Test
    void exp2BelowIsWithinOneUlpDownToTheSmallestNormal() {
        // 2^20 points in [-130, 0] under a zero shift (so shift - a is exact): relative error <= 1 ulp
        // of the result wherever 2^a is a normal float (the polynomial's fit measured 0.9 ulp in
        // float Horner), at most the smallest normal below that, and exactly 0 below -126.5.
        SplittableRandom rnd = new SplittableRandom(3);
        float[] a = new float[1 << 20];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (-130 * rnd.nextDouble());
        }
        a[0] = 0f;
        a[1] = -126f;                                                   // 2^a = the smallest normal
        a[2] = -0.5f;
        a[3] = 0.5f - 1;
        float[] y = a.clone();
        float[] sums = new float[LANES];
        VectorKernels.exp2Below(y, 0, y.length, LANES, new float[LANES], 0, sums, 0);
        for (int i = 0; i < a.length; i++) {
            double want = Math.pow(2, a[i]);
            if (a[i] < -126.5f) {
                assertEquals(0f, y[i], 0f, "2^" + a[i] + " flushes to 0");
            } else {
                double tolerance = want < Float.MIN_NORMAL ? Float.MIN_NORMAL : Math.ulp((float) want);
                assertEquals(want, y[i], tolerance, "2^" + a[i]);
            }
        }
        assertEquals(1f, y[0], 0f, "2^0 is exactly 1");
    }

    @Test
    void exp2BelowWalksItsStrideAndClampsOnTheBits() {
        // The strided walk under per-lane shifts gives the bits of the same call on a - shift under a
        // zero shift (shift - a and -(a - shift) are the same float), leaves the entries between the
        // strides alone and adds the lane sums in the walk's order; a = shift gives exactly 1, and a
        // = -inf, or 127 or more below the shift, exactly 0.
        SplittableRandom rnd = new SplittableRandom(4);
        float[] shift = new float[LANES];
        for (int l = 0; l < LANES; l++) {
            shift[l] = (float) (-20 + 40 * rnd.nextDouble());
        }
        float[] a = new float[LANES * 2 * 40];
        for (int p = 0; p < a.length; p += LANES) {
            for (int l = 0; l < LANES; l++) {
                a[p + l] = shift[l] - (float) (60 * rnd.nextDouble());
            }
        }
        int p0 = LANES;                                                  // the first vector of the walk
        for (int l = 0; l < LANES; l++) {
            a[p0 + l] = switch (l % 4) {
                case 0 -> shift[l];
                case 1 -> Float.NEGATIVE_INFINITY;
                case 2 -> shift[l] - 127f;
                default -> shift[l] - 1e30f;
            };
        }
        float[] x = a.clone();
        float[] sums = new float[LANES];
        VectorKernels.exp2Below(a, LANES, a.length, 2 * LANES, shift, 0, sums, 0);
        float[] want = new float[LANES];
        for (int p = LANES; p < a.length; p += 2 * LANES) {
            float[] shifted = new float[LANES];
            for (int l = 0; l < LANES; l++) {
                shifted[l] = x[p + l] - shift[l];
            }
            VectorKernels.exp2Below(shifted, 0, LANES, LANES, new float[LANES], 0, new float[LANES], 0);
            for (int l = 0; l < LANES; l++) {
                assertEquals(shifted[l], a[p + l], 0f, "at " + (p + l));
                want[l] += shifted[l];
                assertEquals(x[p - LANES + l], a[p - LANES + l], 0f, "untouched at " + (p - LANES + l));
            }
        }
        for (int l = 0; l < LANES; l++) {
            assertEquals(want[l], sums[l], 0f, "sum of lane " + l);
            assertEquals(l % 4 == 0 ? 1f : 0f, a[p0 + l], 0f, "lane " + l + " of the first vector");
        }
    }

    @Test
    void expAndErfClampTheirEndsOnTheBits() {
        // The integer-domain clamps: -inf and anything below ~-88 give exactly 0, -0 and +0 give
        // exactly 1, +inf the top value e^88.376 (finite); erf is +-1 beyond +-4 and at +-inf, odd at 0.
        float[] x = {Float.NEGATIVE_INFINITY, -1e30f, -100f, -0f, 0f, Float.POSITIVE_INFINITY, 1e30f, 88.37626f,
            -88.5f, 1f, -1f, 2f, -3f, 4f, 0.5f, 10f};
        float[] e = apply(x, v -> VectorKernels.exp(v));
        float[] want = {0f, 0f, 0f, 1f, 1f};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], e[i], 0f, "exp(" + x[i] + ")");
        }
        assertEquals(e[7], e[5], 0f, "exp(+inf) is the cap");
        assertEquals(e[7], e[6], 0f, "exp(1e30) is the cap");
        assertEquals(Math.exp(x[7]), e[7], 1.5 * Math.ulp(1f) * Math.exp(x[7]), "the cap, e^EXP_MAX");
        float[] y = apply(new float[] {Float.NEGATIVE_INFINITY, -1e30f, -5f, -4f, -0f, 0f, 4f, 5f, 1e30f, Float.POSITIVE_INFINITY,
            1f, -1f, 2f, -2f, 3f, -3f}, v -> VectorKernels.erf(v));
        float[] erfWant = {-1f, -1f, -1f, -1f, 0f, 0f, 1f, 1f, 1f, 1f};
        for (int i = 0; i < erfWant.length; i++) {
            assertEquals(erfWant[i], y[i], 5e-7, "erf, entry " + i);
        }
        assertEquals(-y[10], y[11], 0f, "erf is odd");
        float[] gate = new float[2 * LANES];                              // [value | gate], one vector each
        java.util.Arrays.fill(gate, 1f);
        gate[LANES] = Float.NaN;
        float[] gelu = new float[LANES];
        VectorKernels.gatedGelu(gate, new float[2 * LANES], LANES, gelu);
        assertTrue(Float.isNaN(gelu[0]), "a NaN gate stays NaN through GEGLU: " + gelu[0]);
        assertEquals(1.0 * 0.5 * (1 + Erf.erf(1 / Math.sqrt(2))), gelu[1], 1e-6, "gelu(1)");
    }

    @Test
    void erfIsWithinItsFitErrorOfTheExactErf() {
        // The rational fit's error measured on [-6, 6]: 4.2e-7 absolute; tolerance 5e-7.
        float[] x = new float[120_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = -6f + 12f * i / x.length;
        }
        float[] y = apply(x, v -> VectorKernels.erf(v));
        for (int i = 0; i < x.length; i++) {
            assertEquals(Erf.erf(x[i]), y[i], 5e-7, "erf(" + x[i] + ")");
        }
    }

    @Test
    void aRowIsTheSameBitsInterpretedAndCompiled() {
        // The first calls run in the interpreter, later ones JIT-compiled: the kernels use only
        // exactly-rounded operations and a fixed-order lane sum, so every call gives the same bits.
        SplittableRandom rnd = new SplittableRandom(2);
        float[] row = new float[1024];                                    // whole vectors, as the kernels pad them
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) (10 * rnd.nextGaussian());
        }
        float[] first = row.clone();
        VectorKernels.softmax(first, first.length);
        float[] gate = new float[2 * 320];
        for (int i = 0; i < gate.length; i++) {
            gate[i] = (float) (3 * rnd.nextGaussian());
        }
        float[] gateBias = new float[2 * 320];
        for (int i = 0; i < gateBias.length; i++) {
            gateBias[i] = (float) rnd.nextGaussian();
        }
        float[] firstGelu = new float[320];
        VectorKernels.gatedGelu(gate, gateBias, 320, firstGelu);
        for (int call = 0; call < 20_000; call++) {
            float[] again = row.clone();
            VectorKernels.softmax(again, again.length);
            float[] againGelu = new float[320];
            VectorKernels.gatedGelu(gate, gateBias, 320, againGelu);
            if (call % 1000 == 999) {
                assertArrayEquals(first, again, "softmax, call " + call);
                assertArrayEquals(firstGelu, againGelu, "GEGLU, call " + call);
            }
        }
    }

    private static float[] apply(float[] x, java.util.function.UnaryOperator<FloatVector> f) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) {
            f.apply(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i)).intoArray(y, i);
        }
        return y;
    }
}
