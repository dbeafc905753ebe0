package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Both attention paths, the fused Vector API kernel ({@code VectorAttention}) and the gemm pair
 * ({@link Attention#unfused}), against the definition computed in double. The U-Net and CLIP
 * reference tests check the same code against PyTorch inside whole models.
 */
class AttentionTest {
    /** B, T, S, C, heads, causal. */
    static List<int[]> shapes() {
        return List.of(
            new int[] {2, 37, 77, 40, 2, 0},       // d = 20: padded to 24, three value tiles; 77 keys: 9 panels of 9, the last with 4 zero keys
            new int[] {1, 64, 60, 64, 1, 0},       // 64 queries: a block of 3 vectors and a part-filled one
            new int[] {1, 30, 40, 24, 3, 0},       // d = 8, below one vector: rows read and written a float at a time
            new int[] {1, 200, 130, 32, 1, 0},     // one head split into chunks of queries across threads; 130 keys: chunks of 126 and 4
            new int[] {1, 40, 300, 32, 2, 0},      // 300 keys: chunks of 126, 126 and 48, the running sums rescaled twice
            new int[] {2, 77, 77, 48, 3, 1},       // causal, CLIP's mask on 77 tokens
            new int[] {1, 300, 300, 32, 1, 1},     // causal over several key chunks: the chunks after a block's last query skipped
            new int[] {1, 50, 50, 320, 2, 0},      // d = 160, the widest fused head (SD 1.5's 1280 channels / 8)
            new int[] {1, 40, 40, 320, 1, 0});     // d = 320: wider than FUSED_HEAD_DIM_MAX, the gemm pair
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void bothPathsAreTheDefinition(int[] shape) {
        // Tolerance 2e-5 absolute on outputs of magnitude <= ~4 (randn values): float sums of at
        // most 300 products of probabilities in [0, 1] with values, exps within 1.3 ulp, the fused
        // path's rescales by powers of 2 computed within 1 ulp; the two paths measured within 4e-6
        // of each other at 4096 keys.
        int b = shape[0];
        int t = shape[1];
        int s = shape[2];
        int c = shape[3];
        int heads = shape[4];
        boolean causal = shape[5] == 1;
        INDArray q = Nd4j.randn(11, new long[] {b, t, c}).castTo(DataType.FLOAT).muli(2);
        INDArray k = Nd4j.randn(12, new long[] {b, s, c}).castTo(DataType.FLOAT);
        INDArray v = Nd4j.randn(13, new long[] {b, s, c}).castTo(DataType.FLOAT);
        double[] want = definition(q, k, v, heads, causal);
        float[] fused = Attention.attend(q, k, v, heads, causal).data().asFloat();
        float[] unfused = Attention.unfused(q, k, v, heads, causal).data().asFloat();
        assertEquals(want.length, fused.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], fused[i], 2e-5, "attend at " + i);
            assertEquals(want[i], unfused[i], 2e-5, "unfused at " + i);
        }
    }

    @Test
    void theUNetsSelfAttentionAt4096TokensMatchesTheGemmPair() {
        // 64x64 latent, 320 channels, 8 heads of 40: the shape the fused kernel exists for. Relative
        // to the largest output, 1e-5: sums of 4096 products in a different order (measured 2.4e-6).
        INDArray q = Nd4j.randn(21, new long[] {1, 4096, 320}).castTo(DataType.FLOAT).muli(2);
        INDArray k = Nd4j.randn(22, new long[] {1, 4096, 320}).castTo(DataType.FLOAT);
        INDArray v = Nd4j.randn(23, new long[] {1, 4096, 320}).castTo(DataType.FLOAT);
        INDArray fused = Attention.attend(q, k, v, 8, false);
        INDArray unfused = Attention.unfused(q, k, v, 8, false);
        double scale = Transforms.abs(unfused).maxNumber().doubleValue();
        double diff = Transforms.abs(fused.sub(unfused)).maxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, "max |fused - unfused| " + diff + " of max |out| " + scale);
    }

    @Test
    void aMaxThatGrowsInEveryKeyChunkRescalesWhatCameBefore() {
        // One query whose scores rise by 0.05 per key over 1000 keys (eight chunks of 126): each chunk
        // raises the running max by 6.3, so the sums of the chunks before are rescaled by 2^-9.1
        // seven times, and the first keys' weights end near e^-50 of the last's. The output, a weighted
        // mean of values v_j = j / 1000, against the definition in double: 2e-6 absolute, float
        // rounding of a mean of numbers below 1 (measured 1e-7).
        assertRisingScores(1000, 0.05, 1, 0.97);
    }

    @Test
    void theFusedKernelIsBitIdenticalFromRunToRun() {
        // One head split into query chunks that the pool's threads take in any order.
        INDArray q = Nd4j.randn(31, new long[] {1, 300, 40}).castTo(DataType.FLOAT);
        INDArray k = Nd4j.randn(32, new long[] {1, 90, 40}).castTo(DataType.FLOAT);
        INDArray v = Nd4j.randn(33, new long[] {1, 90, 40}).castTo(DataType.FLOAT);
        float[] first = Attention.attend(q, k, v, 1, false).data().asFloat();
        for (int run = 0; run < 5; run++) {
            assertArrayEquals(first, Attention.attend(q, k, v, 1, false).data().asFloat(), "run " + run);
        }
    }

    @Test
    void aViewIsReadAsItsValues() {
        // q as a permuted view (not packed rows): the kernel packs it first.
        INDArray base = Nd4j.randn(41, new long[] {2, 40, 24}).castTo(DataType.FLOAT);
        INDArray q = base.permute(0, 2, 1);                                          // [2, 24, 40]
        INDArray k = Nd4j.randn(42, new long[] {2, 30, 40}).castTo(DataType.FLOAT);
        INDArray v = Nd4j.randn(43, new long[] {2, 30, 40}).castTo(DataType.FLOAT);
        assertArrayEquals(Attention.attend(q.dup('c'), k, v, 2, false).data().asFloat(), Attention.attend(q, k, v, 2, false).data().asFloat());
    }

    @Test
    void aMaxThatJumpsByNinetyInEachChunkRescalesWhatCameBefore() {
        // Two queries whose scores rise by 0.5 per key over 600 keys (in base 2, 0.72 per key, 91 per
        // chunk): every chunk rescales the sums before it by 2^-91, four times, and the first keys'
        // weights end near 2^-430 of the last's, flushed to 0. 2e-6 absolute as above.
        assertRisingScores(600, 0.5, 2, 0.99);
    }

    /**
     * {@code queries} queries with {@code q.k_j / sqrt(16) = perKey j} over s keys and values
     * {@code v_j = j / s}: the fused attention against the definition in double, 2e-6 absolute, and
     * the weights on the last keys (the output above {@code minOutput}).
     */
    private static void assertRisingScores(int s, double perKey, int queries, double minOutput) {
        INDArray q = Nd4j.ones(DataType.FLOAT, 1, queries, 16).muli(perKey / 4);
        INDArray k = Nd4j.create(DataType.FLOAT, 1, s, 16);
        INDArray v = Nd4j.create(DataType.FLOAT, 1, s, 16);
        for (int j = 0; j < s; j++) {
            k.get(NDArrayIndex.point(0), NDArrayIndex.point(j), NDArrayIndex.all()).assign(j);
            v.get(NDArrayIndex.point(0), NDArrayIndex.point(j), NDArrayIndex.all()).assign(j / (double) s);
        }
        double[] want = definition(q, k, v, 1, false);
        float[] got = Attention.attend(q, k, v, 1, false).data().asFloat();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 2e-6, "at " + i);
        }
        assertTrue(want[0] > minOutput, "the weights sit on the last keys: " + want[0]);
    }

    @Test
    void aNaNOrInfinityInALaterChunkMakesTheRowNaN() {
        // Key 200 of 300 (the second chunk, where the shift is no longer recomputed) with a NaN, or
        // with +inf so that every score against it is +inf or -inf: each query's row is NaN, as
        // softmax makes it, in the head that sees that key only.
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            INDArray q = Nd4j.randn(61, new long[] {1, 10, 32}).castTo(DataType.FLOAT);
            INDArray k = Nd4j.randn(62, new long[] {1, 300, 32}).castTo(DataType.FLOAT);
            INDArray v = Nd4j.randn(63, new long[] {1, 300, 32}).castTo(DataType.FLOAT);
            k.get(NDArrayIndex.point(0), NDArrayIndex.point(200), NDArrayIndex.interval(0, 16)).assign(bad);   // head 0
            INDArray out = Attention.attend(q, k, v, 2, false);
            for (int i = 0; i < 10; i++) {
                for (int e = 0; e < 16; e++) {
                    assertTrue(Float.isNaN(out.getFloat(0, i, e)), bad + ": head 0, query " + i + ", " + e);
                    assertFalse(Float.isNaN(out.getFloat(0, i, 16 + e)), bad + ": head 1, query " + i + ", " + e);
                }
            }
        }
    }

    @Test
    void columnSlicesOfOneProjectionAreReadInPlace() {
        // q, k and v as the column slices of one [2, 50, 3 x 32] array (a stacked q/k/v gemm):
        // the same bits as their dense copies, on both paths.
        INDArray qkv = Nd4j.randn(44, new long[] {2, 50, 96}).castTo(DataType.FLOAT);
        INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 32));
        INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(32, 64));
        INDArray v = qkv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(64, 96));
        assertEquals(96, q.stride(1), "a view, not a copy");
        assertArrayEquals(Attention.attend(q.dup('c'), k.dup('c'), v.dup('c'), 2, false).data().asFloat(),
                Attention.attend(q, k, v, 2, false).data().asFloat());
        assertArrayEquals(Attention.unfused(q.dup('c'), k.dup('c'), v.dup('c'), 2, false).data().asFloat(),
                Attention.unfused(q, k, v, 2, false).data().asFloat());
    }

    @Test
    void aNaNKeyMakesItsHeadNaNAndLeavesTheOtherHead() {
        // softmax(q K^T) with a NaN score is NaN in every entry of that row (PyTorch's result too).
        INDArray q = Nd4j.randn(51, new long[] {1, 20, 32}).castTo(DataType.FLOAT);
        INDArray k = Nd4j.randn(52, new long[] {1, 20, 32}).castTo(DataType.FLOAT);
        INDArray v = Nd4j.randn(53, new long[] {1, 20, 32}).castTo(DataType.FLOAT);
        k.putScalar(new long[] {0, 7, 3}, Float.NaN);                               // head 0 (channels 0-15), key 7
        for (INDArray out : new INDArray[] {Attention.attend(q, k, v, 2, false), Attention.unfused(q, k, v, 2, false)}) {
            for (int i = 0; i < 20; i++) {
                for (int e = 0; e < 16; e++) {
                    assertTrue(Float.isNaN(out.getFloat(0, i, e)), "head 0, query " + i + ", " + e);
                    assertFalse(Float.isNaN(out.getFloat(0, i, 16 + e)), "head 1, query " + i + ", " + e);
                }
            }
        }
    }

    @Test
    void underTheCausalMaskANaNKeyReachesOnlyTheQueriesThatSeeIt() {
        // Fused path only: it masks by -inf after the product, so query i < 7 never touches key 7.
        // (The gemm pair adds -1e30 to a NaN score, which stays NaN, as an additive mask does in PyTorch.)
        Assumptions.assumeTrue(FusedKernels.vectorApi(), "the fused kernel needs the Vector API");
        INDArray q = Nd4j.randn(61, new long[] {1, 40, 16}).castTo(DataType.FLOAT);
        INDArray k = Nd4j.randn(62, new long[] {1, 40, 16}).castTo(DataType.FLOAT);
        INDArray v = Nd4j.randn(63, new long[] {1, 40, 16}).castTo(DataType.FLOAT);
        k.putScalar(new long[] {0, 7, 0}, Float.NaN);
        INDArray out = Attention.attend(q, k, v, 1, true);
        for (int i = 0; i < 40; i++) {
            for (int e = 0; e < 16; e++) {
                assertEquals(i >= 7, Float.isNaN(out.getFloat(0, i, e)), "query " + i + ", " + e);
            }
        }
    }

    @Test
    void shapesThatDoNotFitAreRefusedByName() {
        INDArray q = Nd4j.zeros(DataType.FLOAT, 1, 4, 30);
        INDArray k = Nd4j.zeros(DataType.FLOAT, 1, 5, 30);
        IllegalArgumentException heads = assertThrows(IllegalArgumentException.class, () -> Attention.attend(q, k, k, 4, false));
        assertTrue(heads.getMessage().contains("30 channels do not split into 4 heads"), heads.getMessage());
        INDArray narrow = Nd4j.zeros(DataType.FLOAT, 1, 6, 30);
        IllegalArgumentException keys = assertThrows(IllegalArgumentException.class, () -> Attention.attend(q, k, narrow, 2, false));
        assertTrue(keys.getMessage().contains("do not fit"), keys.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> Attention.attend(q.reshape(4, 30), k, k, 2, false));
        assertTrue(rank.getMessage().contains("rank 3"), rank.getMessage());
    }

    /** softmax(q_h k_h^T / sqrt(d) + mask) v_h in double, as [B, T, C] flattened. */
    private static double[] definition(INDArray q, INDArray k, INDArray v, int heads, boolean causal) {
        int b = (int) q.size(0);
        int t = (int) q.size(1);
        int s = (int) k.size(1);
        int c = (int) q.size(2);
        int d = c / heads;
        float[] qa = q.dup('c').data().asFloat();
        float[] ka = k.dup('c').data().asFloat();
        float[] va = v.dup('c').data().asFloat();
        double[] out = new double[b * t * c];
        for (int n = 0; n < b; n++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    int visible = causal ? Math.min(s, i + 1) : s;
                    double[] p = new double[visible];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < visible; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += (double) qa[(n * t + i) * c + h * d + e] * ka[(n * s + j) * c + h * d + e];
                        }
                        p[j] = dot / Math.sqrt(d);
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < visible; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int e = 0; e < d; e++) {
                        double acc = 0;
                        for (int j = 0; j < visible; j++) {
                            acc += p[j] * va[(n * s + j) * c + h * d + e];
                        }
                        out[(n * t + i) * c + h * d + e] = acc / sum;
                    }
                }
            }
        }
        return out;
    }
}
