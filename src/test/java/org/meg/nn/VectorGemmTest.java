package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link VectorGemm} against the definition: the fma chain over k in float, and a double-precision sum; A given row-major and in panels. */
class VectorGemmTest {
    @ParameterizedTest
    @CsvSource({
        "8, 1, 16, false",     // one row block, k = 1, one vector: the 1-vector tile alone
        "14, 1, 16, true",
        "8, 7, 32, false",     // one 2-vector tile
        "14, 7, 32, true",
        "16, 256, 48, false",  // k exactly one block; 2-vector tiles then a 1-vector tile
        "28, 256, 48, true",
        "24, 257, 80, false",  // a second k block of one; 2 + 2 + 1 vectors
        "42, 257, 80, true",
        "14, 600, 512, true",  // three k blocks (256, 256, 88), the U-Net's 512 tiles
    })
    void isTheFmaChainOverKInOrderBitForBitAndWithinTheSumBound(int m, int k, int n, boolean panels) {
        assumeTrue(FusedKernels.vectorApi(), "VectorGemm needs the Vector API");
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        assumeTrue(n % lanes == 0, "n must be whole vectors of this JVM's " + lanes + " lanes");
        SplittableRandom rnd = new SplittableRandom(31L * m + 7L * k + n);
        int at = 5;                                                     // the matrices start at an offset in their arrays
        float[] a = new float[at + m * k];
        float[] b = new float[at + k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        float[] given = a;                                              // A as multiply reads it: row-major, or in panels
        if (panels) {
            given = new float[at + m * k];
            int rows = VectorGemm.ROWS;
            for (int i = 0; i < m; i++) {
                for (int e = 0; e < k; e++) {
                    given[at + i / rows * rows * k + rows * e + i % rows] = a[at + i * k + e];
                }
            }
        }
        float[] c = new float[at + m * n + 3];
        java.util.Arrays.fill(c, Float.NaN);                            // every element must be written, and no other
        VectorGemm.multiply(given, at, m, k, panels, b, at, n, c, at);
        for (int i : new int[] {0, at - 1, at + m * n, c.length - 1}) {
            assertTrue(Float.isNaN(c[i]), "c[" + i + "] outside the product was written");
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float chain = 0f;
                double exact = 0;
                double magnitude = 0;
                for (int e = 0; e < k; e++) {
                    chain = Math.fma(a[at + i * k + e], b[at + e * n + j], chain);
                    exact += (double) a[at + i * k + e] * b[at + e * n + j];
                    magnitude += Math.abs((double) a[at + i * k + e] * b[at + e * n + j]);
                }
                String where = m + "x" + k + "x" + n + (panels ? " on panels" : " on rows") + " at (" + i + ", " + j + ")";
                // the lanes' fma is IEEE fma, and the blocks carry the sum through C unrounded
                assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(c[at + i * n + j]), where);
                // recursive summation: |error| <= k u sum |a b| (Higham, Accuracy and Stability, eq. 3.5), u = 2^-24
                assertTrue(Math.abs(c[at + i * n + j] - exact) <= k * 0x1p-24 * magnitude + 1e-30, where);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "8, 70, 32, false",    // k split 64 + 6, as Winograd's slices split the input channels
        "14, 300, 48, true",   // k split 64 + 236 on panels, the second part over two k blocks
    })
    void accumulatingContinuesEachChainFromC(int m, int k, int n, boolean panels) {
        assumeTrue(FusedKernels.vectorApi(), "VectorGemm needs the Vector API");
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        assumeTrue(n % lanes == 0, "n must be whole vectors of this JVM's " + lanes + " lanes");
        SplittableRandom rnd = new SplittableRandom(97L * m + k);
        int first = 64;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] start = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        for (int i = 0; i < start.length; i++) {
            start[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        int rows = panels ? VectorGemm.ROWS : 1;
        float[] head = new float[m * first];                            // A's columns [0, first) and [first, k) as two matrices
        float[] tail = new float[m * (k - first)];
        for (int i = 0; i < m; i++) {
            for (int e = 0; e < k; e++) {
                int kk = e < first ? first : k - first;
                int ee = e < first ? e : e - first;
                int to = panels ? i / rows * rows * kk + rows * ee + i % rows : i * kk + ee;
                (e < first ? head : tail)[to] = a[i * k + e];
            }
        }
        float[] c = start.clone();
        VectorGemm.multiply(head, 0, m, first, panels, b, 0, n, c, 0, true);
        VectorGemm.multiply(tail, 0, m, k - first, panels, b, first * n, n, c, 0, true);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float chain = start[i * n + j];
                for (int e = 0; e < k; e++) {
                    chain = Math.fma(a[i * k + e], b[e * n + j], chain);
                }
                assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(c[i * n + j]), "(" + i + ", " + j + ")");
            }
        }
    }
}
