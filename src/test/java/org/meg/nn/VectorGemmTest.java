package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link VectorGemm} against the definition: the fma chain over k in float, and a double-precision sum. */
class VectorGemmTest {
    @ParameterizedTest
    @CsvSource({
        "8, 1, 16",          // one row block, k = 1, one vector: the 1-vector tile alone
        "8, 7, 32",          // one 2-vector tile
        "16, 256, 48",       // k exactly one block; 2-vector tiles then a 1-vector tile
        "24, 257, 80",       // a second k block of one; 2 + 2 + 1 vectors
        "8, 600, 512",       // three k blocks (256, 256, 88), the U-Net's 512 tiles
    })
    void isTheFmaChainOverKInOrderBitForBitAndWithinTheSumBound(int m, int k, int n) {
        assumeTrue(FusedKernels.vectorApi(), "VectorGemm needs the Vector API");
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        assumeTrue(n % lanes == 0, "n must be whole vectors of this JVM's " + lanes + " lanes");
        SplittableRandom rnd = new SplittableRandom(31L * m + 7L * k + n);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        float[] c = new float[m * n];
        java.util.Arrays.fill(c, Float.NaN);                            // every element must be written
        VectorGemm.multiply(a, m, k, b, n, c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float chain = 0f;
                double exact = 0;
                double magnitude = 0;
                for (int e = 0; e < k; e++) {
                    chain = Math.fma(a[i * k + e], b[e * n + j], chain);
                    exact += (double) a[i * k + e] * b[e * n + j];
                    magnitude += Math.abs((double) a[i * k + e] * b[e * n + j]);
                }
                String where = m + "x" + k + "x" + n + " at (" + i + ", " + j + ")";
                // the lanes' fma is IEEE fma, and the blocks carry the sum through C unrounded
                assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(c[i * n + j]), where);
                // recursive summation: |error| <= k u sum |a b| (Higham, Accuracy and Stability, eq. 3.5), u = 2^-24
                assertTrue(Math.abs(c[i * n + j] - exact) <= k * 0x1p-24 * magnitude + 1e-30, where);
            }
        }
    }
}
