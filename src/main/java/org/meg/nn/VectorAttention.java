package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head attention {@code softmax(Q K^T / sqrt(d)) V} fused per block of {@code 2L} queries
 * (L float lanes: 32 with AVX-512) on the Vector API. The block's scores against every key are
 * computed transposed, {@code S^T = K Q^T} [S, 2L], into a thread's buffer (512 KB at 4096 keys,
 * in L2), turned into {@code exp(s - max)} there, and multiplied by V at once: the [T, S] score
 * matrix of a head is never written to memory. At 4096 tokens that matrix is 64 MB per head, and
 * its round trips (gemm out, softmax in and out, gemm in) were most of the unfused attention's time.
 *
 * <p>Transposed, a block's queries lie across the lanes: the two products are register tiles of
 * 2 vectors of queries x 8 keys (scores) and 2 vectors x 8 output dims (values), 16 accumulators,
 * with K and V read in their own [S, d] rows as broadcasts, so no head dim is padded (d = 40 pads
 * to 48 in a tile over d); the softmax's max, exp and sum run down the keys in vertical lane
 * operations, with no horizontal reduction.
 *
 * <p>Each (batch, head, chunk of queries) is one task on the common fork-join pool. A task copies
 * its head's K and V rows, [S, d] each, and per block its scaled queries transposed, [d, 2L], into
 * heap buffers; it reads q, k and v through their {@link FloatBuffer}s and writes its rows of the
 * [B, T, C] result directly, so neither the heads' split nor their merge is a copy of its own.
 * Every output element is one sequence of fused multiply-adds in a fixed order, whatever the
 * chunking and the threads: results are bit-identical from run to run.
 *
 * <p>Differences from the unfused path, all within float rounding: the queries are scaled before
 * the product instead of the scores after it, and {@code 1 / sum} multiplies the output instead of
 * the probabilities. A query whose scores have no finite max (a NaN, +inf, no visible key) gives a
 * NaN row, as softmax does; under the causal mask a NaN in a key the query cannot see does not reach
 * it (the unfused path adds a large negative mask, which keeps the NaN).
 */
final class VectorAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Queries per block: two vectors. */
    private static final int BLOCK = 2 * L;
    /** Fewest queries per task when a head is split across threads. */
    private static final int MIN_CHUNK = 64;
    /** Keys per pass of the value tiles: 256 x 2L floats of probabilities, 32 KB (L1). */
    private static final int KEY_CHUNK = 256;
    private static final ThreadBuffers BUFFERS = new ThreadBuffers(7);
    private static final int KEYS = 0;
    private static final int VALUES = 1;
    private static final int QUERIES_T = 2;
    private static final int SCORES_T = 3;
    private static final int OUT_T = 4;
    private static final int ROW = 5;
    private static final int INV = 6;

    private VectorAttention() {
    }

    /**
     * Attention on projected q [B, T, C], k and v [B, S, C] with {@code heads} heads of
     * {@code d = C / heads}; {@code causal}: query i sees keys j &lt;= i only.
     *
     * @return a new [B, T, C] array
     */
    static INDArray attend(INDArray query, INDArray key, INDArray value, int heads, boolean causal) {
        INDArray q = packed(query);
        INDArray k = packed(key);
        INDArray v = packed(value);
        int b = (int) q.size(0);
        int t = (int) q.size(1);
        int s = (int) k.size(1);
        int c = (int) q.size(2);
        int d = c / heads;
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, b, t, c);
        Head shape = new Head(t, s, c, d, (float) (1.0 / Math.sqrt(d)), causal);
        FloatBuffer qb = q.data().asNioFloat();
        FloatBuffer kb = k.data().asNioFloat();
        FloatBuffer vb = v.data().asNioFloat();
        FloatBuffer ob = out.data().asNioFloat();
        int q0 = (int) q.offset();
        int k0 = (int) k.offset();
        int v0 = (int) v.offset();
        int tasksPerHead = chunks(b * heads, t);
        int chunk = roundUp((t + tasksPerHead - 1) / tasksPerHead, BLOCK);
        IntStream tasks = IntStream.range(0, b * heads * tasksPerHead);
        if ((long) b * heads * t * s * d >= 1 << 16) {
            tasks = tasks.parallel();
        }
        tasks.forEach(task -> {
            int bh = task / tasksPerHead;
            int first = task % tasksPerHead * chunk;
            int batch = bh / heads;
            int column = bh % heads * d;
            if (first < t) {
                shape.run(qb, q0 + batch * t * c + column, kb, k0 + batch * s * c + column, vb, v0 + batch * s * c + column,
                    ob, batch * t * c + column, first, Math.min(t, first + chunk));
            }
        });
        return out;
    }

    /** Tasks per (batch, head): one, unless there are fewer (batch, head) pairs than twice the pool's threads. */
    private static int chunks(int pairs, int t) {
        int wanted = 2 * Runtime.getRuntime().availableProcessors();
        if (pairs >= wanted) {
            return 1;
        }
        int perHead = (wanted + pairs - 1) / pairs;
        return Math.max(1, Math.min(perHead, t / MIN_CHUNK));
    }

    private static INDArray packed(INDArray x) {
        if (x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("attention wants float32, got " + x.dataType());
        }
        boolean packed = x.ordering() == 'c' && x.stride(2) == 1 && x.stride(1) == x.size(2) && x.stride(0) == x.size(1) * x.size(2);
        return packed ? x : x.dup('c');
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** One head's sizes; {@link #run} does one task. */
    private record Head(int t, int s, int c, int d, float scale, boolean causal) {

        /**
         * Queries {@code [first, end)} of one (batch, head): {@code q0}, {@code k0}, {@code v0} and
         * {@code o0} index the head's column 0 of token 0 in the [., ., C] buffers.
         */
        void run(FloatBuffer q, int q0, FloatBuffer k, int k0, FloatBuffer v, int v0, FloatBuffer o, int o0, int first, int end) {
            float[] kh = BUFFERS.get(KEYS, s * d);                            // [S, d]
            float[] vh = BUFFERS.get(VALUES, s * d);                          // [S, d]
            float[] qT = BUFFERS.get(QUERIES_T, d * BLOCK);                   // [d, 2L], scaled
            float[] st = BUFFERS.get(SCORES_T, s * BLOCK);                    // [S, 2L]: scores, then exp(s - max)
            float[] oT = BUFFERS.get(OUT_T, d * BLOCK);                       // [d, 2L]
            float[] row = BUFFERS.get(ROW, d);
            float[] inv = BUFFERS.get(INV, 2 * BLOCK);                         // 1 / sum per query, then the maxima
            for (int j = 0; j < s; j++) {
                k.get(k0 + j * c, kh, j * d, d);
                v.get(v0 + j * c, vh, j * d, d);
            }
            for (int r0 = first; r0 < end; r0 += BLOCK) {
                int n = Math.min(BLOCK, end - r0);
                // 1. Q^T of the block, scaled; the missing queries of a last block are zero.
                Arrays.fill(qT, 0, d * BLOCK, 0f);
                for (int i = 0; i < n; i++) {
                    q.get(q0 + (r0 + i) * c, row, 0, d);
                    for (int e = 0; e < d; e++) {
                        qT[e * BLOCK + i] = row[e] * scale;
                    }
                }
                // 2. S^T = K Q^T, [S, 2L].
                int j = 0;
                for (; j + 8 <= s; j += 8) {
                    scores8(qT, kh, d, j, st);
                }
                for (; j < s; j++) {
                    scores1(qT, kh, d, j, st);
                }
                // 3. Key j is hidden from queries r0 + i < j.
                if (causal) {
                    for (j = r0 + 1; j < s; j++) {
                        Arrays.fill(st, j * BLOCK, j * BLOCK + Math.min(BLOCK, j - r0), Float.NEGATIVE_INFINITY);
                    }
                }
                // 4. exp(s - max) down each query's column, and 1 / sum.
                softmaxColumns(st, s, inv);
                // 5. O^T = (P V)^T / sum, [d, 2L], over chunks of keys that stay in L1 for every tile of d.
                Arrays.fill(oT, 0, d * BLOCK, 0f);
                for (int from = 0; from < s; from += KEY_CHUNK) {
                    int to = Math.min(s, from + KEY_CHUNK);
                    int e = 0;
                    for (; e + 8 <= d; e += 8) {
                        values8(st, from, to, vh, d, e, oT);
                    }
                    for (; e < d; e++) {
                        values1(st, from, to, vh, d, e, oT);
                    }
                }
                FloatVector i0 = FloatVector.fromArray(S, inv, 0);
                FloatVector i1 = FloatVector.fromArray(S, inv, L);
                for (int p = 0; p < d * BLOCK; p += BLOCK) {
                    FloatVector.fromArray(S, oT, p).mul(i0).intoArray(oT, p);
                    FloatVector.fromArray(S, oT, p + L).mul(i1).intoArray(oT, p + L);
                }
                // 6. The block's rows of the result.
                for (int i = 0; i < n; i++) {
                    for (int e = 0; e < d; e++) {
                        row[e] = oT[e * BLOCK + i];
                    }
                    o.put(o0 + (r0 + i) * c, row, 0, d);
                }
            }
        }
    }

    /**
     * {@code st[j 2L + i] = exp(st[j 2L + i] - max_j)} over the s keys of each of the 2L queries
     * i, and {@code inv[i] = 1 / sum_j}; NaN for a query whose max is not finite.
     */
    private static void softmaxColumns(float[] st, int s, float[] inv) {
        FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector m1 = m0;
        for (int p = 0; p < s * BLOCK; p += BLOCK) {
            m0 = m0.max(FloatVector.fromArray(S, st, p));                      // NaN wins Java's max
            m1 = m1.max(FloatVector.fromArray(S, st, p + L));
        }
        m0.intoArray(inv, BLOCK);
        m1.intoArray(inv, BLOCK + L);
        VectorKernels.expShifted(st, 0, s * BLOCK, BLOCK, inv, BLOCK, inv, 0);         // the sums into inv[0, 2L)
        VectorKernels.expShifted(st, L, s * BLOCK, BLOCK, inv, BLOCK + L, inv, L);
        FloatVector one = FloatVector.broadcast(S, 1f);
        one.div(FloatVector.fromArray(S, inv, 0)).intoArray(inv, 0);
        one.div(FloatVector.fromArray(S, inv, L)).intoArray(inv, L);
        for (int i = 0; i < BLOCK; i++) {
            if (!Float.isFinite(inv[BLOCK + i])) {
                inv[i] = Float.NaN;                                            // exp's clamps gave numbers there
            }
        }
    }

    /** Keys {@code j .. j + 7}: {@code st[(j + u) 2L + i] = sum_e kh[(j + u) d + e] qT[e 2L + i]}. */
    private static void scores8(float[] qT, float[] kh, int d, int j, float[] st) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a40 = a00;
        FloatVector a41 = a00;
        FloatVector a50 = a00;
        FloatVector a51 = a00;
        FloatVector a60 = a00;
        FloatVector a61 = a00;
        FloatVector a70 = a00;
        FloatVector a71 = a00;
        int k = j * d;
        for (int e = 0; e < d; e++) {
            FloatVector q0 = FloatVector.fromArray(S, qT, 2 * L * e);
            FloatVector q1 = FloatVector.fromArray(S, qT, 2 * L * e + L);
            FloatVector x = FloatVector.broadcast(S, kh[k + e]);
            a00 = q0.fma(x, a00);
            a01 = q1.fma(x, a01);
            x = FloatVector.broadcast(S, kh[k + d + e]);
            a10 = q0.fma(x, a10);
            a11 = q1.fma(x, a11);
            x = FloatVector.broadcast(S, kh[k + 2 * d + e]);
            a20 = q0.fma(x, a20);
            a21 = q1.fma(x, a21);
            x = FloatVector.broadcast(S, kh[k + 3 * d + e]);
            a30 = q0.fma(x, a30);
            a31 = q1.fma(x, a31);
            x = FloatVector.broadcast(S, kh[k + 4 * d + e]);
            a40 = q0.fma(x, a40);
            a41 = q1.fma(x, a41);
            x = FloatVector.broadcast(S, kh[k + 5 * d + e]);
            a50 = q0.fma(x, a50);
            a51 = q1.fma(x, a51);
            x = FloatVector.broadcast(S, kh[k + 6 * d + e]);
            a60 = q0.fma(x, a60);
            a61 = q1.fma(x, a61);
            x = FloatVector.broadcast(S, kh[k + 7 * d + e]);
            a70 = q0.fma(x, a70);
            a71 = q1.fma(x, a71);
        }
        int o = 2 * L * j;
        a00.intoArray(st, o);
        a01.intoArray(st, o + L);
        a10.intoArray(st, o + 2 * L);
        a11.intoArray(st, o + 2 * L + L);
        a20.intoArray(st, o + 2 * 2 * L);
        a21.intoArray(st, o + 2 * 2 * L + L);
        a30.intoArray(st, o + 3 * 2 * L);
        a31.intoArray(st, o + 3 * 2 * L + L);
        a40.intoArray(st, o + 4 * 2 * L);
        a41.intoArray(st, o + 4 * 2 * L + L);
        a50.intoArray(st, o + 5 * 2 * L);
        a51.intoArray(st, o + 5 * 2 * L + L);
        a60.intoArray(st, o + 6 * 2 * L);
        a61.intoArray(st, o + 6 * 2 * L + L);
        a70.intoArray(st, o + 7 * 2 * L);
        a71.intoArray(st, o + 7 * 2 * L + L);
    }

    /** Keys {@code j .. j + 0}: {@code st[(j + u) 2L + i] = sum_e kh[(j + u) d + e] qT[e 2L + i]}. */
    private static void scores1(float[] qT, float[] kh, int d, int j, float[] st) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        int k = j * d;
        for (int e = 0; e < d; e++) {
            FloatVector q0 = FloatVector.fromArray(S, qT, 2 * L * e);
            FloatVector q1 = FloatVector.fromArray(S, qT, 2 * L * e + L);
            FloatVector x = FloatVector.broadcast(S, kh[k + e]);
            a00 = q0.fma(x, a00);
            a01 = q1.fma(x, a01);
        }
        int o = 2 * L * j;
        a00.intoArray(st, o);
        a01.intoArray(st, o + L);
    }

    /** Output dims {@code e .. e + 7}: {@code oT[(e + u) 2L + i] += sum_j st[j 2L + i] vh[j d + e + u]} over keys {@code [from, to)}. */
    private static void values8(float[] st, int from, int to, float[] vh, int d, int e, float[] oT) {
        int o = 2 * L * e;
        FloatVector a00 = FloatVector.fromArray(S, oT, o);
        FloatVector a01 = FloatVector.fromArray(S, oT, o + L);
        FloatVector a10 = FloatVector.fromArray(S, oT, o + 2 * L);
        FloatVector a11 = FloatVector.fromArray(S, oT, o + 2 * L + L);
        FloatVector a20 = FloatVector.fromArray(S, oT, o + 2 * 2 * L);
        FloatVector a21 = FloatVector.fromArray(S, oT, o + 2 * 2 * L + L);
        FloatVector a30 = FloatVector.fromArray(S, oT, o + 3 * 2 * L);
        FloatVector a31 = FloatVector.fromArray(S, oT, o + 3 * 2 * L + L);
        FloatVector a40 = FloatVector.fromArray(S, oT, o + 4 * 2 * L);
        FloatVector a41 = FloatVector.fromArray(S, oT, o + 4 * 2 * L + L);
        FloatVector a50 = FloatVector.fromArray(S, oT, o + 5 * 2 * L);
        FloatVector a51 = FloatVector.fromArray(S, oT, o + 5 * 2 * L + L);
        FloatVector a60 = FloatVector.fromArray(S, oT, o + 6 * 2 * L);
        FloatVector a61 = FloatVector.fromArray(S, oT, o + 6 * 2 * L + L);
        FloatVector a70 = FloatVector.fromArray(S, oT, o + 7 * 2 * L);
        FloatVector a71 = FloatVector.fromArray(S, oT, o + 7 * 2 * L + L);
        for (int j = from, p = 2 * L * from, w = from * d + e; j < to; j++, p += 2 * L, w += d) {
            FloatVector p0 = FloatVector.fromArray(S, st, p);
            FloatVector p1 = FloatVector.fromArray(S, st, p + L);
            FloatVector x = FloatVector.broadcast(S, vh[w]);
            a00 = p0.fma(x, a00);
            a01 = p1.fma(x, a01);
            x = FloatVector.broadcast(S, vh[w + 1]);
            a10 = p0.fma(x, a10);
            a11 = p1.fma(x, a11);
            x = FloatVector.broadcast(S, vh[w + 2]);
            a20 = p0.fma(x, a20);
            a21 = p1.fma(x, a21);
            x = FloatVector.broadcast(S, vh[w + 3]);
            a30 = p0.fma(x, a30);
            a31 = p1.fma(x, a31);
            x = FloatVector.broadcast(S, vh[w + 4]);
            a40 = p0.fma(x, a40);
            a41 = p1.fma(x, a41);
            x = FloatVector.broadcast(S, vh[w + 5]);
            a50 = p0.fma(x, a50);
            a51 = p1.fma(x, a51);
            x = FloatVector.broadcast(S, vh[w + 6]);
            a60 = p0.fma(x, a60);
            a61 = p1.fma(x, a61);
            x = FloatVector.broadcast(S, vh[w + 7]);
            a70 = p0.fma(x, a70);
            a71 = p1.fma(x, a71);
        }
        a00.intoArray(oT, o);
        a01.intoArray(oT, o + L);
        a10.intoArray(oT, o + 2 * L);
        a11.intoArray(oT, o + 2 * L + L);
        a20.intoArray(oT, o + 2 * 2 * L);
        a21.intoArray(oT, o + 2 * 2 * L + L);
        a30.intoArray(oT, o + 3 * 2 * L);
        a31.intoArray(oT, o + 3 * 2 * L + L);
        a40.intoArray(oT, o + 4 * 2 * L);
        a41.intoArray(oT, o + 4 * 2 * L + L);
        a50.intoArray(oT, o + 5 * 2 * L);
        a51.intoArray(oT, o + 5 * 2 * L + L);
        a60.intoArray(oT, o + 6 * 2 * L);
        a61.intoArray(oT, o + 6 * 2 * L + L);
        a70.intoArray(oT, o + 7 * 2 * L);
        a71.intoArray(oT, o + 7 * 2 * L + L);
    }

    /** Output dims {@code e .. e + 0}: {@code oT[(e + u) 2L + i] += sum_j st[j 2L + i] vh[j d + e + u]} over keys {@code [from, to)}. */
    private static void values1(float[] st, int from, int to, float[] vh, int d, int e, float[] oT) {
        int o = 2 * L * e;
        FloatVector a00 = FloatVector.fromArray(S, oT, o);
        FloatVector a01 = FloatVector.fromArray(S, oT, o + L);
        for (int j = from, p = 2 * L * from, w = from * d + e; j < to; j++, p += 2 * L, w += d) {
            FloatVector p0 = FloatVector.fromArray(S, st, p);
            FloatVector p1 = FloatVector.fromArray(S, st, p + L);
            FloatVector x = FloatVector.broadcast(S, vh[w]);
            a00 = p0.fma(x, a00);
            a01 = p1.fma(x, a01);
        }
        a00.intoArray(oT, o);
        a01.intoArray(oT, o + L);
    }
}
