package org.meg.nn;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head attention {@code softmax(Q K^T / sqrt(d)) V} fused per block of {@code 3L} queries
 * (L float lanes: 48 queries with AVX-512) on the Vector API, with an online softmax over chunks of
 * 126 keys: a chunk's scores, computed transposed, {@code S^T = K Q^T} [126, 3L] (24 KB, in L1), are
 * turned into {@code 2^(s - max so far)} in place and multiplied by V at once; when a chunk raises a
 * query's max, what came before (its sum and its output column) is rescaled by
 * {@code 2^(old max - new max)}. The [T, S] score matrix of a head is never written to memory: at
 * 4096 tokens it is 64 MB per head, and its round trips (gemm out, softmax in and out, gemm in) were
 * most of the unfused attention's time. The queries are scaled by {@code log2(e) / sqrt(d)}, so the
 * exps are powers of 2 ({@link VectorKernels#exp2Below}).
 *
 * <p>Transposed, a block's queries lie across the lanes: the two products are register tiles of
 * 3 vectors of queries x 9 keys (scores, 27 accumulators) and 3 vectors x 8 output dims (values,
 * 24), with K copied in panels of 9 keys and V in its [S, d] rows (padded to whole 8-dim tiles)
 * read as broadcasts, so no head dim is padded to whole vectors (d = 40 would pad to 48 in a tile
 * over d); the softmax's max, exp and sum run down the keys in vertical lane operations, with no
 * horizontal reduction. Alone on one core the score tiles ran at 165-177 GFLOP/s (3 x 8: 146-156;
 * 3 x 10 spills registers), the value tiles at 145-165. Under the causal mask the chunks after a
 * block's last query are skipped.
 *
 * <p>Each (batch, head, chunk of queries) is one task on the common fork-join pool. A task copies
 * its head's K and V rows, [S, d] each, and per block its scaled queries transposed, [d, 3L], into
 * heap buffers; it reads q, k and v in place, in vector loads from their buffers ({@link DirectRows}),
 * and writes its rows of the [B, T, C] result directly, so neither the heads' split nor their merge is a copy of its own.
 * Every output element is one sequence of operations in a fixed order, whatever the chunking and
 * the threads: results are bit-identical from run to run.
 *
 * <p>Differences from the unfused path, all within float rounding: the queries are scaled before
 * the product instead of the scores after it, the exps are in base 2 and rescaled chunk by chunk,
 * and {@code 1 / sum} multiplies the output instead of the probabilities. A query whose scores have
 * no finite max (a NaN, +inf, no visible key) gives a NaN row, as softmax does; under the causal
 * mask a NaN in a key the query cannot see does not reach it (the unfused path adds a large
 * negative mask, which keeps the NaN).
 */
final class VectorAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Queries per block: three vectors. */
    private static final int BLOCK = 3 * L;
    /** Fewest queries per task when a head is split across threads. */
    private static final int MIN_CHUNK = 64;
    /** The queries' scale is 1 / sqrt(d) times log2(e), so that the softmax's exps are powers of 2. */
    private static final double LOG2E = 1.4426950408889634;
    /** Keys per panel of K and per score tile: 9 keys x 3 vectors, 27 accumulators. */
    private static final int PANEL = 9;
    /** Keys per chunk, 14 panels: 126 x 3L floats of scores, then probabilities, 24 KB (L1). */
    private static final int KEY_CHUNK = 14 * PANEL;
    private static final ThreadBuffers BUFFERS = new ThreadBuffers(7);
    private static final int KEYS = 0;
    private static final int VALUES = 1;
    private static final int QUERIES_T = 2;
    private static final int SCORES_T = 3;
    private static final int OUT_T = 4;
    private static final int QUERY_ROWS = 6;
    /** A thread's lanes: per query the running max, the shift, the sum so far, the rescale, a chunk's sum (at the end 1 / sum); then a row of d. */
    private static final int LANES = 5;
    private static final int MAX = 0;
    private static final int SHIFT = BLOCK;
    private static final int TOTAL = 2 * BLOCK;
    private static final int RESCALE = 3 * BLOCK;
    private static final int INV = 4 * BLOCK;
    private static final int ROW = 5 * BLOCK;

    private VectorAttention() {
    }

    /**
     * Attention on projected q [B, T, C], k and v [B, S, C] with {@code heads} heads of
     * {@code d = C / heads}; {@code causal}: query i sees keys j &lt;= i only.
     *
     * @return a new [B, T, C] array
     */
    static INDArray attend(INDArray query, INDArray key, INDArray value, int heads, boolean causal) {
        INDArray q = rows(query);
        INDArray k = rows(key);
        INDArray v = rows(value);
        int b = (int) q.size(0);
        int t = (int) q.size(1);
        int s = (int) k.size(1);
        int c = (int) q.size(2);
        int d = c / heads;
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, b, t, c);
        Head shape = new Head(t, s, c, (int) q.stride(1), (int) k.stride(1), (int) v.stride(1), d, (float) (LOG2E / Math.sqrt(d)), causal);
        ByteBuffer qb = DirectRows.of(q);
        ByteBuffer kb = DirectRows.of(k);
        ByteBuffer vb = DirectRows.of(v);
        ByteBuffer ob = DirectRows.of(out);
        int q0 = (int) q.offset();
        int k0 = (int) k.offset();
        int v0 = (int) v.offset();
        int qBatch = (int) q.stride(0);
        int kBatch = (int) k.stride(0);
        int vBatch = (int) v.stride(0);
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
                shape.run(qb, q0 + batch * qBatch + column, kb, k0 + batch * kBatch + column, vb, v0 + batch * vBatch + column,
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

    /**
     * x itself if its tokens are rows of one stride with unit-stride channels, as in a dense
     * [B, N, C] array or a column slice of a wider one (q, k and v of one fused projection,
     * {@link Linear#loadStacked}); else a dense copy.
     */
    private static INDArray rows(INDArray x) {
        if (x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("attention wants float32, got " + x.dataType());
        }
        boolean rows = x.stride(2) == 1 && x.stride(1) >= x.size(2) && x.stride(0) == x.size(1) * x.stride(1);
        return rows ? x : x.dup('c');
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** One head's sizes, and the row strides of q, k and v (c for dense arrays); {@link #run} does one task. */
    private record Head(int t, int s, int c, int qRow, int kRow, int vRow, int d, float scale, boolean causal) {

        /**
         * Queries {@code [first, end)} of one (batch, head): {@code q0}, {@code k0}, {@code v0} and
         * {@code o0} index the head's column 0 of token 0 in the [., ., C] buffers.
         */
        void run(ByteBuffer q, int q0, ByteBuffer k, int k0, ByteBuffer v, int v0, ByteBuffer o, int o0, int first, int end) {
            int sp = roundUp(s, PANEL);
            int d8 = roundUp(d, 8);
            float[] kp = BUFFERS.get(KEYS, sp * d);                           // [S / 9, d, 9]: panels of 9 keys
            float[] vh = BUFFERS.get(VALUES, s * d8);                         // [S, d8]
            float[] qT = BUFFERS.get(QUERIES_T, d * BLOCK);                   // [d, 3L], scaled
            float[] qRows = BUFFERS.get(QUERY_ROWS, BLOCK * d);               // [3L, d]
            float[] st = BUFFERS.get(SCORES_T, KEY_CHUNK * BLOCK);            // [chunk, 3L]: scores, then 2^(s - shift)
            float[] oT = BUFFERS.get(OUT_T, d8 * BLOCK);                      // [d8, 3L]
            float[] lanes = BUFFERS.get(LANES, ROW + d8);
            // K in panels, so that a score tile's 9 broadcasts per dim are one run of memory; the
            // padding keys are zero. V's rows padded to whole value tiles with zero dims.
            Arrays.fill(kp, s * d, sp * d, 0f);
            for (int j = 0; j < s; j++) {
                DirectRows.get(k, k0 + j * kRow, lanes, ROW, d);
                for (int e = 0, w = j / PANEL * PANEL * d + j % PANEL; e < d; e++, w += PANEL) {
                    kp[w] = lanes[ROW + e];
                }
                DirectRows.get(v, v0 + j * vRow, vh, j * d8, d);
                Arrays.fill(vh, j * d8 + d, (j + 1) * d8, 0f);
            }
            for (int r0 = first; r0 < end; r0 += BLOCK) {
                int n = Math.min(BLOCK, end - r0);
                // 1. Q^T of the block, scaled; the missing queries of a last block are zero. The rows
                // come in whole vectors and are transposed a dim at a time (read row by row from a
                // bulk FloatBuffer copy, each row's d stores on d lines 3L floats apart, the
                // transpose took 7% of the attention at 4096 tokens).
                for (int i = 0; i < n; i++) {
                    DirectRows.get(q, q0 + (r0 + i) * qRow, qRows, i * d, d);
                }
                for (int e = 0; e < d; e++) {
                    int at = e * BLOCK;
                    for (int i = 0, from = e; i < n; i++, from += d) {
                        qT[at + i] = qRows[from] * scale;
                    }
                    Arrays.fill(qT, at + n, at + BLOCK, 0f);
                }
                Arrays.fill(oT, 0, d8 * BLOCK, 0f);
                Arrays.fill(lanes, MAX, MAX + BLOCK, Float.NEGATIVE_INFINITY);
                Arrays.fill(lanes, SHIFT, SHIFT + BLOCK, 0f);
                Arrays.fill(lanes, TOTAL, TOTAL + BLOCK, 0f);
                // Under the causal mask the keys after the block's last query are hidden from all of it.
                int keys = causal ? Math.min(s, r0 + n) : s;
                for (int from = 0; from < keys; from += KEY_CHUNK) {
                    int m = Math.min(keys, from + KEY_CHUNK) - from;
                    // 2. S^T = K Q^T for the chunk's keys, [m, 3L] (a last panel's padding rows are not read).
                    for (int j = 0; j < m; j += PANEL) {
                        scores9(qT, kp, d, from + j, st, j * BLOCK);
                    }
                    // 3. Key from + j is hidden from queries r0 + i < from + j.
                    if (causal) {
                        for (int j = Math.max(0, r0 + 1 - from); j < m; j++) {
                            Arrays.fill(st, j * BLOCK, j * BLOCK + Math.min(BLOCK, from + j - r0), Float.NEGATIVE_INFINITY);
                        }
                    }
                    // 4. 2^(s - max so far) and the rescale of what came before.
                    softmaxChunk(st, m, lanes);
                    for (int p = 0; p < d8 * BLOCK; p += BLOCK) {
                        for (int x = 0; x < BLOCK; x += L) {
                            FloatVector.fromArray(S, oT, p + x).mul(FloatVector.fromArray(S, lanes, RESCALE + x)).intoArray(oT, p + x);
                        }
                    }
                    // 5. O^T += (P V)^T over the chunk, [d8, 3L].
                    for (int e = 0; e < d8; e += 8) {
                        values8(st, m, vh, from, d8, e, oT);
                    }
                }
                // 6. The block's rows of the result, divided by the sums; NaN where the max is not finite.
                for (int i = 0; i < BLOCK; i++) {
                    lanes[INV + i] = Float.isFinite(lanes[MAX + i]) ? 1f / lanes[TOTAL + i] : Float.NaN;
                }
                for (int i = 0; i < n; i++) {
                    float inv = lanes[INV + i];
                    for (int e = 0; e < d; e++) {
                        lanes[ROW + e] = oT[e * BLOCK + i] * inv;
                    }
                    DirectRows.put(lanes, ROW, o, o0 + (r0 + i) * c, d);
                }
            }
        }
    }

    /**
     * One chunk of m keys of the online softmax, per query lane i: the max so far takes in the
     * chunk's, {@code st[j 3L + i] = 2^(st[j 3L + i] - shift_i)} with the shift the new max (0
     * while that is -inf, so that hidden keys give 0, not NaN), the sum so far is rescaled by
     * {@code 2^(old shift - new shift)} and takes in the chunk's, and that rescale is left for the
     * output.
     */
    private static void softmaxChunk(float[] st, int m, float[] lanes) {
        for (int x = 0; x < BLOCK; x += L) {
            // Four chains of max, so that a row waits on the one four rows up; NaN wins Java's max.
            FloatVector m0 = FloatVector.fromArray(S, lanes, MAX + x);
            FloatVector m1 = m0;
            FloatVector m2 = m0;
            FloatVector m3 = m0;
            int p = x;
            for (; p + 3 * BLOCK < m * BLOCK; p += 4 * BLOCK) {
                m0 = m0.max(FloatVector.fromArray(S, st, p));
                m1 = m1.max(FloatVector.fromArray(S, st, p + BLOCK));
                m2 = m2.max(FloatVector.fromArray(S, st, p + 2 * BLOCK));
                m3 = m3.max(FloatVector.fromArray(S, st, p + 3 * BLOCK));
            }
            for (; p < m * BLOCK; p += BLOCK) {
                m0 = m0.max(FloatVector.fromArray(S, st, p));
            }
            FloatVector max = m0.max(m1).max(m2.max(m3));
            max.intoArray(lanes, MAX + x);
            FloatVector old = FloatVector.fromArray(S, lanes, SHIFT + x);
            FloatVector shift = max.blend(0f, max.eq(Float.NEGATIVE_INFINITY));
            shift.intoArray(lanes, SHIFT + x);
            // 2^(old - new), or 1 where the shift went down from 0 (all keys so far hidden: nothing to rescale).
            old.min(shift).intoArray(lanes, RESCALE + x);
            VectorKernels.exp2Below(lanes, RESCALE + x, RESCALE + x + L, L, lanes, SHIFT + x, lanes, INV + x);
            VectorKernels.exp2Below(st, x, m * BLOCK, BLOCK, lanes, SHIFT + x, lanes, INV + x);
            FloatVector.fromArray(S, lanes, TOTAL + x).mul(FloatVector.fromArray(S, lanes, RESCALE + x))
                    .add(FloatVector.fromArray(S, lanes, INV + x)).intoArray(lanes, TOTAL + x);
        }
    }

    /** Keys {@code j .. j + 8}, j a multiple of 9: {@code st[at + u 3L + i] = sum_e kp[j d + 9 e + u] qT[e 3L + i]}. */
    private static void scores9(float[] qT, float[] kp, int d, int j, float[] st, int at) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a40 = a00;
        FloatVector a41 = a00;
        FloatVector a42 = a00;
        FloatVector a50 = a00;
        FloatVector a51 = a00;
        FloatVector a52 = a00;
        FloatVector a60 = a00;
        FloatVector a61 = a00;
        FloatVector a62 = a00;
        FloatVector a70 = a00;
        FloatVector a71 = a00;
        FloatVector a72 = a00;
        FloatVector a80 = a00;
        FloatVector a81 = a00;
        FloatVector a82 = a00;
        for (int e = 0, p = 0, w = j * d; e < d; e++, p += BLOCK, w += PANEL) {
            FloatVector q0 = FloatVector.fromArray(S, qT, p);
            FloatVector q1 = FloatVector.fromArray(S, qT, p + L);
            FloatVector q2 = FloatVector.fromArray(S, qT, p + 2 * L);
            FloatVector x = FloatVector.broadcast(S, kp[w]);
            a00 = q0.fma(x, a00);
            a01 = q1.fma(x, a01);
            a02 = q2.fma(x, a02);
            x = FloatVector.broadcast(S, kp[w + 1]);
            a10 = q0.fma(x, a10);
            a11 = q1.fma(x, a11);
            a12 = q2.fma(x, a12);
            x = FloatVector.broadcast(S, kp[w + 2]);
            a20 = q0.fma(x, a20);
            a21 = q1.fma(x, a21);
            a22 = q2.fma(x, a22);
            x = FloatVector.broadcast(S, kp[w + 3]);
            a30 = q0.fma(x, a30);
            a31 = q1.fma(x, a31);
            a32 = q2.fma(x, a32);
            x = FloatVector.broadcast(S, kp[w + 4]);
            a40 = q0.fma(x, a40);
            a41 = q1.fma(x, a41);
            a42 = q2.fma(x, a42);
            x = FloatVector.broadcast(S, kp[w + 5]);
            a50 = q0.fma(x, a50);
            a51 = q1.fma(x, a51);
            a52 = q2.fma(x, a52);
            x = FloatVector.broadcast(S, kp[w + 6]);
            a60 = q0.fma(x, a60);
            a61 = q1.fma(x, a61);
            a62 = q2.fma(x, a62);
            x = FloatVector.broadcast(S, kp[w + 7]);
            a70 = q0.fma(x, a70);
            a71 = q1.fma(x, a71);
            a72 = q2.fma(x, a72);
            x = FloatVector.broadcast(S, kp[w + 8]);
            a80 = q0.fma(x, a80);
            a81 = q1.fma(x, a81);
            a82 = q2.fma(x, a82);
        }
        a00.intoArray(st, at);
        a01.intoArray(st, at + L);
        a02.intoArray(st, at + 2 * L);
        a10.intoArray(st, at + 3 * L);
        a11.intoArray(st, at + 4 * L);
        a12.intoArray(st, at + 5 * L);
        a20.intoArray(st, at + 6 * L);
        a21.intoArray(st, at + 7 * L);
        a22.intoArray(st, at + 8 * L);
        a30.intoArray(st, at + 9 * L);
        a31.intoArray(st, at + 10 * L);
        a32.intoArray(st, at + 11 * L);
        a40.intoArray(st, at + 12 * L);
        a41.intoArray(st, at + 13 * L);
        a42.intoArray(st, at + 14 * L);
        a50.intoArray(st, at + 15 * L);
        a51.intoArray(st, at + 16 * L);
        a52.intoArray(st, at + 17 * L);
        a60.intoArray(st, at + 18 * L);
        a61.intoArray(st, at + 19 * L);
        a62.intoArray(st, at + 20 * L);
        a70.intoArray(st, at + 21 * L);
        a71.intoArray(st, at + 22 * L);
        a72.intoArray(st, at + 23 * L);
        a80.intoArray(st, at + 24 * L);
        a81.intoArray(st, at + 25 * L);
        a82.intoArray(st, at + 26 * L);
    }

    /** Output dims {@code e .. e + 7}: {@code oT[(e + u) 3L + i] += sum_j st[j 3L + i] vh[(from + j) d8 + e + u]} over j < {@code n}. */
    private static void values8(float[] st, int n, float[] vh, int from, int d8, int e, float[] oT) {
        int o = BLOCK * e;
        FloatVector a00 = FloatVector.fromArray(S, oT, o);
        FloatVector a01 = FloatVector.fromArray(S, oT, o + L);
        FloatVector a02 = FloatVector.fromArray(S, oT, o + 2 * L);
        FloatVector a10 = FloatVector.fromArray(S, oT, o + 3 * L);
        FloatVector a11 = FloatVector.fromArray(S, oT, o + 4 * L);
        FloatVector a12 = FloatVector.fromArray(S, oT, o + 5 * L);
        FloatVector a20 = FloatVector.fromArray(S, oT, o + 6 * L);
        FloatVector a21 = FloatVector.fromArray(S, oT, o + 7 * L);
        FloatVector a22 = FloatVector.fromArray(S, oT, o + 8 * L);
        FloatVector a30 = FloatVector.fromArray(S, oT, o + 9 * L);
        FloatVector a31 = FloatVector.fromArray(S, oT, o + 10 * L);
        FloatVector a32 = FloatVector.fromArray(S, oT, o + 11 * L);
        FloatVector a40 = FloatVector.fromArray(S, oT, o + 12 * L);
        FloatVector a41 = FloatVector.fromArray(S, oT, o + 13 * L);
        FloatVector a42 = FloatVector.fromArray(S, oT, o + 14 * L);
        FloatVector a50 = FloatVector.fromArray(S, oT, o + 15 * L);
        FloatVector a51 = FloatVector.fromArray(S, oT, o + 16 * L);
        FloatVector a52 = FloatVector.fromArray(S, oT, o + 17 * L);
        FloatVector a60 = FloatVector.fromArray(S, oT, o + 18 * L);
        FloatVector a61 = FloatVector.fromArray(S, oT, o + 19 * L);
        FloatVector a62 = FloatVector.fromArray(S, oT, o + 20 * L);
        FloatVector a70 = FloatVector.fromArray(S, oT, o + 21 * L);
        FloatVector a71 = FloatVector.fromArray(S, oT, o + 22 * L);
        FloatVector a72 = FloatVector.fromArray(S, oT, o + 23 * L);
        for (int j = 0, p = 0, w = from * d8 + e; j < n; j++, p += BLOCK, w += d8) {
            FloatVector p0 = FloatVector.fromArray(S, st, p);
            FloatVector p1 = FloatVector.fromArray(S, st, p + L);
            FloatVector p2 = FloatVector.fromArray(S, st, p + 2 * L);
            FloatVector x = FloatVector.broadcast(S, vh[w]);
            a00 = p0.fma(x, a00);
            a01 = p1.fma(x, a01);
            a02 = p2.fma(x, a02);
            x = FloatVector.broadcast(S, vh[w + 1]);
            a10 = p0.fma(x, a10);
            a11 = p1.fma(x, a11);
            a12 = p2.fma(x, a12);
            x = FloatVector.broadcast(S, vh[w + 2]);
            a20 = p0.fma(x, a20);
            a21 = p1.fma(x, a21);
            a22 = p2.fma(x, a22);
            x = FloatVector.broadcast(S, vh[w + 3]);
            a30 = p0.fma(x, a30);
            a31 = p1.fma(x, a31);
            a32 = p2.fma(x, a32);
            x = FloatVector.broadcast(S, vh[w + 4]);
            a40 = p0.fma(x, a40);
            a41 = p1.fma(x, a41);
            a42 = p2.fma(x, a42);
            x = FloatVector.broadcast(S, vh[w + 5]);
            a50 = p0.fma(x, a50);
            a51 = p1.fma(x, a51);
            a52 = p2.fma(x, a52);
            x = FloatVector.broadcast(S, vh[w + 6]);
            a60 = p0.fma(x, a60);
            a61 = p1.fma(x, a61);
            a62 = p2.fma(x, a62);
            x = FloatVector.broadcast(S, vh[w + 7]);
            a70 = p0.fma(x, a70);
            a71 = p1.fma(x, a71);
            a72 = p2.fma(x, a72);
        }
        a00.intoArray(oT, o);
        a01.intoArray(oT, o + L);
        a02.intoArray(oT, o + 2 * L);
        a10.intoArray(oT, o + 3 * L);
        a11.intoArray(oT, o + 4 * L);
        a12.intoArray(oT, o + 5 * L);
        a20.intoArray(oT, o + 6 * L);
        a21.intoArray(oT, o + 7 * L);
        a22.intoArray(oT, o + 8 * L);
        a30.intoArray(oT, o + 9 * L);
        a31.intoArray(oT, o + 10 * L);
        a32.intoArray(oT, o + 11 * L);
        a40.intoArray(oT, o + 12 * L);
        a41.intoArray(oT, o + 13 * L);
        a42.intoArray(oT, o + 14 * L);
        a50.intoArray(oT, o + 15 * L);
        a51.intoArray(oT, o + 16 * L);
        a52.intoArray(oT, o + 17 * L);
        a60.intoArray(oT, o + 18 * L);
        a61.intoArray(oT, o + 19 * L);
        a62.intoArray(oT, o + 20 * L);
        a70.intoArray(oT, o + 21 * L);
        a71.intoArray(oT, o + 22 * L);
        a72.intoArray(oT, o + 23 * L);
    }
}
