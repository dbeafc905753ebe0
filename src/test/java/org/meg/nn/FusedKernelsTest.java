package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Both {@link FusedKernels} implementations against the definitions, computed in double. */
class FusedKernelsTest {
    static List<FusedKernels> kernels() {
        return List.of(FusedKernels.get(), FusedKernels.fallback());
    }

    @Test
    void theTestJvmRunsTheVectorKernels() {
        // surefire starts the JVM with --add-modules jdk.incubator.vector (pom.xml): without it the
        // parameterized tests below would test the ND4J kernels twice.
        assertTrue(FusedKernels.get().name().startsWith("vector-api"), FusedKernels.get().name());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void softmaxRowsIsTheDefinition(FusedKernels k) {
        // Row lengths: a full 16-lane multiple (4096, the U-Net's self-attention), a masked tail
        // (77 context tokens, 5 < one vector), enough rows to take the parallel path. Scores up to
        // +-40 and a causal-style -1e30 mask. Tolerance 1e-5 relative + 1e-12: ND4J's exp measured
        // within 2.6e-6 here, the vector exp within 1.3 ulp, and one float sum of at most 4096 terms
        // in [0, 1] adds a relative error of ~sqrt(n) eps.
        for (int n : new int[] {4096, 77, 5}) {
            int rows = n == 4096 ? 24 : 600;
            INDArray x = Nd4j.randn(n, new long[] {rows, n}).castTo(DataType.FLOAT).muli(8);
            x.putScalar(new long[] {1, n - 1}, 40f);
            x.putScalar(new long[] {2, 0}, -1e30f);
            float[] in = x.data().asFloat();
            k.softmaxRows(x);
            float[] out = x.data().asFloat();
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, in[r * n + j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.exp(in[r * n + j] - max);
                }
                for (int j = 0; j < n; j++) {
                    double want = Math.exp(in[r * n + j] - max) / sum;
                    assertEquals(want, out[r * n + j], 1e-5 * want + 1e-12, k.name() + " n " + n + " row " + r + " col " + j);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void aSoftmaxRowWithANaNOrNoFiniteMaxIsNaNAndLeavesTheOthers(FusedKernels k) {
        // exp(v - max) / sum is NaN when v holds a NaN, when max is +inf (inf - inf) and when every
        // entry is -inf (0 / 0), as PyTorch's softmax gives; the other rows are unaffected.
        float inf = Float.POSITIVE_INFINITY;
        float[][] rows = {
            {1f, Float.NaN, 2f, 3f, 0f, -1f, 4f, 2f, 1f, 0f, 3f, 1f, 2f, 0f, 1f, 2f, 5f},
            {1f, inf, 2f, 3f, 0f, -1f, 4f, 2f, 1f, 0f, 3f, 1f, 2f, 0f, 1f, 2f, 5f},
            {-inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf},
            {0f, -inf, 0f, -inf, 0f, -inf, 0f, -inf, 0f, -inf, 0f, -inf, 0f, -inf, 0f, -inf, 0f},
        };
        INDArray x = Nd4j.create(rows);
        k.softmaxRows(x);
        for (int r = 0; r < 3; r++) {
            for (int j = 0; j < 17; j++) {
                assertTrue(Float.isNaN(x.getFloat(r, j)), k.name() + " row " + r + " col " + j + ": " + x.getFloat(r, j));
            }
        }
        for (int j = 0; j < 17; j++) {
            assertEquals(j % 2 == 0 ? 1.0 / 9 : 0.0, x.getFloat(3, j), 1e-7, k.name() + " row 3 col " + j);   // -inf entries: exactly 0
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void softmaxRowsWorksOnARowBlockView(FusedKernels k) {
        INDArray whole = Nd4j.randn(3L, new long[] {8, 40}).castTo(DataType.FLOAT);
        INDArray expected = whole.dup();
        FusedKernels.fallback().softmaxRows(expected);
        INDArray block = whole.get(NDArrayIndex.interval(3, 6), NDArrayIndex.all());    // rows 3..5, offset 120
        k.softmaxRows(block);
        assertEquals(0.0, whole.get(NDArrayIndex.interval(3, 6), NDArrayIndex.all())
                .sub(expected.get(NDArrayIndex.interval(3, 6), NDArrayIndex.all())).amaxNumber().doubleValue(), 1e-6);
        INDArray untouched = Nd4j.randn(3L, new long[] {8, 40}).castTo(DataType.FLOAT);
        assertEquals(0.0, whole.getRow(0).sub(untouched.getRow(0)).amaxNumber().doubleValue(), 0.0, "rows outside the block are left alone");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void gegluIsValueTimesExactGelu(FusedKernels k) {
        // inner 1280 (the U-Net's first level), 40 (a masked tail) and 7; gates in [-8, 8] reach
        // both of GELU's tails; with no bias and with a bias row added to value and gate. Tolerance
        // 2e-6 (1 + |g|) |value| + 1e-7: the erf fit is within 4.2e-7 of erf, GELU multiplies that by
        // g / 2, plus a few float roundings (the bias adds one, in float, as the kernel does).
        for (int inner : new int[] {1280, 40, 7}) {
            for (boolean withBias : new boolean[] {false, true}) {
                int rows = 50;
                INDArray p = Nd4j.randn(inner, new long[] {rows, 2L * inner}).castTo(DataType.FLOAT).muli(3);
                float[] bias = withBias ? Nd4j.randn(inner + 1L, new long[] {2L * inner}).castTo(DataType.FLOAT).data().asFloat() : null;
                float[] in = p.data().asFloat();
                float[] out = (withBias ? k.geglu(p, bias) : k.geglu(p)).data().asFloat();
                assertArrayEquals(in, p.data().asFloat(), "projected is not modified");
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < inner; j++) {
                        double value = withBias ? in[r * 2 * inner + j] + bias[j] : in[r * 2 * inner + j];
                        double g = withBias ? in[r * 2 * inner + inner + j] + bias[inner + j] : in[r * 2 * inner + inner + j];
                        double want = value * 0.5 * g * (1 + Erf.erf(g / Math.sqrt(2)));
                        assertEquals(want, out[r * inner + j], 2e-6 * (1 + Math.abs(g)) * Math.abs(value) + 1e-7,
                                k.name() + " inner " + inner + " bias " + withBias + " gate " + g);
                    }
                }
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.geglu(Nd4j.zeros(DataType.FLOAT, 2, 8), new float[6]));
        assertTrue(e.getMessage().contains("bias of 6"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void aStridedColumnViewIsRefusedByName(FusedKernels k) {
        INDArray transposed = Nd4j.rand(DataType.FLOAT, 6, 4).transpose();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.softmaxRows(transposed));
        assertTrue(e.getMessage().contains("softmaxRows"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void normalizeGroupIsTheDefinitionEvenFarFromZero(FusedKernels k) {
        // Groups of 10 channels x 4096 (the U-Net's first level), 7 x 1500 (channels that straddle
        // the stream's chunks, a last chunk of 2308), 3 x 77 (a tail of every block and channel
        // width) and 4 x 1; values N(offset, 2^2) with offset 0 and 1000 (the mean 500 standard
        // deviations from zero: a one-pass sum of squares about zero would lose all digits). Tolerance
        // 2e-5 (1 + |gamma|) absolute on unit-scale outputs; 4e-5 in the far case, where the inputs
        // themselves are float-rounded to 3e-5 (half an ulp at 1000), 1.5e-5 standard deviations.
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(9);
        int[][] shapes = {{10, 4096}, {7, 1500}, {3, 77}, {4, 1}};
        for (double offset : new double[] {0, 1000}) {
            for (int[] shape : shapes) {
                int channels = shape[0];
                int per = shape[1];
                int n = channels * per;
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (offset + 2 * rnd.nextGaussian());
                }
                float[] gamma = new float[channels + 2];
                float[] beta = new float[channels + 2];
                for (int c = 0; c < gamma.length; c++) {
                    gamma[c] = (float) (1 + 0.5 * rnd.nextGaussian());
                    beta[c] = (float) rnd.nextGaussian();
                }
                double mean = 0;
                for (float x : v) {
                    mean += x;
                }
                mean /= n;
                double var = 0;
                for (float x : v) {
                    var += (x - mean) * (x - mean);
                }
                var /= n;
                float[] out = v.clone();
                normalizeGroup(k, out, per, gamma, beta, 2, false);
                float[] silu = v.clone();
                normalizeGroup(k, silu, per, gamma, beta, 2, true);
                double tolerance = offset == 0 ? 2e-5 : 4e-5;
                for (int i = 0; i < n; i++) {
                    int c = 2 + i / per;
                    double want = (v[i] - mean) / Math.sqrt(var + 1e-5) * gamma[c] + beta[c];
                    String where = k.name() + " " + channels + "x" + per + " offset " + offset + " at " + i;
                    assertEquals(want, out[i], tolerance * (1 + Math.abs(gamma[c])), where);
                    // SiLU's slope lies in [-0.1, 1.1], so the norm's error carries over at most 1.1x;
                    // exp's 1.3 ulp, the add and the divide add a few ulp of |z| (< 1e-6 here)
                    double wantSilu = want / (1 + Math.exp(-want));
                    assertEquals(wantSilu, silu[i], 1.1 * tolerance * (1 + Math.abs(gamma[c])) + 1e-6, "silu " + where);
                }
            }
        }
    }

    /**
     * {@link GroupNorm#normalizeGroup} on {@code v} as one group (eps 1e-5), the result written
     * back into v: streamed from one heap buffer at offset 3 into another at offset 5, through a
     * third, so that the offsets and the chunking are exercised as on an array's memory.
     */
    private static void normalizeGroup(FusedKernels k, float[] v, int perChannel, float[] gamma, float[] beta, int firstChannel, boolean silu) {
        int n = v.length;
        float[] in = new float[n + 3];
        System.arraycopy(v, 0, in, 3, n);
        float[] out = new float[n + 5];
        GroupNorm.normalizeGroup(k, java.nio.FloatBuffer.wrap(in), 3, java.nio.FloatBuffer.wrap(out), 5, new float[n],
                n, perChannel, gamma, beta, firstChannel, 1e-5, silu);
        System.arraycopy(out, 5, v, 0, n);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void groupSiluSaturatesAndKeepsNaN(FusedKernels k) {
        // v = +-1 alternately: mean 0, variance 1, so z = +-gamma exactly up to eps's 5e-6 relative.
        // gamma 3000: silu(3000) = 3000 (e^-3000 is far below an ulp), silu(-3000) = -3000 e^-3000,
        // which is -0 in float; exp's cap (e^x <= 2.4e38) leaves a tiny negative instead: |y| < 1e-30.
        float[] v = new float[2 * 40];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 2 == 0 ? 1 : -1;
        }
        normalizeGroup(k, v, 40, new float[] {3000, 3000}, new float[] {0, 0}, 0, true);
        for (int i = 0; i < v.length; i++) {
            if (i % 2 == 0) {
                assertEquals(3000, v[i], 3000 * 1e-5, k.name() + " at " + i);
            } else {
                assertTrue(Math.abs(v[i]) < 1e-30 && !(v[i] > 0), k.name() + " at " + i + ": " + v[i]);
            }
        }
        float[] nan = {1, 2, Float.NaN, 4};
        normalizeGroup(k, nan, 4, new float[] {1}, new float[] {0}, 0, true);
        for (float y : nan) {
            assertTrue(Float.isNaN(y), k.name() + ": a NaN in a group makes its statistics and outputs NaN, got " + y);
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void layerNormRowsIsTheDefinition(FusedKernels k) {
        // Row widths 320 (the U-Net), 768 (CLIP) and 77 (a padded tail); values N(5, 3^2) so that
        // the mean matters. Tolerance 1e-5 (1 + |gamma|): float rounding of the normalised value
        // (|x - mean| / std up to ~5) and the affine.
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(13);
        for (int dim : new int[] {320, 768, 77}) {
            int rows = 70;
            float[] x = new float[rows * dim];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (5 + 3 * rnd.nextGaussian());
            }
            float[] gamma = new float[dim];
            float[] beta = new float[dim];
            for (int j = 0; j < dim; j++) {
                gamma[j] = (float) (1 + 0.5 * rnd.nextGaussian());
                beta[j] = (float) rnd.nextGaussian();
            }
            float[] out = k.layerNormRows(Nd4j.create(x, new long[] {rows, dim}, 'c'), gamma, beta, 1e-5).data().asFloat();
            for (int r = 0; r < rows; r++) {
                double mean = 0;
                for (int j = 0; j < dim; j++) {
                    mean += x[r * dim + j];
                }
                mean /= dim;
                double var = 0;
                for (int j = 0; j < dim; j++) {
                    var += (x[r * dim + j] - mean) * (x[r * dim + j] - mean);
                }
                var /= dim;
                for (int j = 0; j < dim; j++) {
                    double want = (x[r * dim + j] - mean) / Math.sqrt(var + 1e-5) * gamma[j] + beta[j];
                    assertEquals(want, out[r * dim + j], 1e-5 * (1 + Math.abs(gamma[j])), k.name() + " dim " + dim + " row " + r + " col " + j);
                }
            }
        }
    }
}
