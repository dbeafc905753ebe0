package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head attention {@code softmax(Q K^T / sqrt(d)) V} fused per block of query rows, on the
 * Vector API: the scores of {@link #BLOCK_ROWS} queries against every key are computed into a
 * thread's buffer (under 0.5 MB at 4096 keys, so in L2), turned into {@code exp(s - max)} there,
 * and multiplied by V at once; the [T, S] score matrix of a head is never written to memory.
 * At 4096 tokens that matrix is 64 MB per head, and its round trips (gemm out, softmax in and
 * out, gemm in) were most of the unfused attention's time.
 *
 * <p>Each (batch, head, chunk of queries) is one task on the common fork-join pool. A task copies
 * its head's K transposed, [d, S'] in panels of keys, and V, [S', d'] (S' and d' rounded up to
 * whole vectors, V's padding keys zero), and its scaled queries, [T', d] (T' a multiple of {@link #MICRO_ROWS}), into heap
 * buffers; it reads q, k and v through their {@link FloatBuffer}s and writes its rows of the
 * [B, T, C] result directly, so neither the heads' split nor their merge is a copy of its own.
 *
 * <p>Register tiles: scores in 4 queries x 4 vectors of keys (16 accumulators, one pass over
 * d), the product with V in 4 queries x up to 3 vectors of d (12 accumulators, one pass over the
 * keys). Every output element is one sequence of fused multiply-adds in a fixed order, whatever
 * the chunking and the threads: results are bit-identical from run to run.
 *
 * <p>Differences from the unfused path, all within float rounding: the queries are scaled before
 * the product instead of the scores after it, and {@code 1 / sum} multiplies the output rows
 * instead of the probabilities.
 */
final class VectorAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Queries per score block: 32 x 4096 keys x 4 B = 512 KB. */
    private static final int BLOCK_ROWS = 32;
    /** Queries per register tile. */
    private static final int MICRO_ROWS = 4;
    /** Fewest queries per task when a head is split across threads. */
    private static final int MIN_CHUNK = 64;
    private static final ThreadBuffers BUFFERS = new ThreadBuffers(5);
    private static final int QUERIES = 0;
    private static final int KEYS_T = 1;
    private static final int VALUES = 2;
    private static final int SCORES = 3;
    private static final int OUT = 4;

    private VectorAttention() {
    }

    /**
     * Attention on projected q [B, T, C], k and v [B, S, C] with {@code heads} heads of
     * {@code d = C / heads}; {@code causal}: query i sees keys j &lt;= i only.
     *
     * @return a new [B, T, C] array
     */
    static INDArray attend(INDArray query, INDArray key, INDArray value, int heads, boolean causal) {
        INDArray q = rowMajor(query);
        INDArray k = rowMajor(key);
        INDArray v = rowMajor(value);
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
        int chunk = (t + tasksPerHead - 1) / tasksPerHead;
        IntStream tasks = IntStream.range(0, b * heads * tasksPerHead);
        if ((long) b * heads * t * s * d >= 1 << 16) {
            tasks = tasks.parallel();
        }
        tasks.forEach(task -> {
            int bh = task / tasksPerHead;
            int first = task % tasksPerHead * chunk;
            int batch = bh / heads;
            int column = bh % heads * d;
            shape.run(qb, q0 + batch * t * c + column, kb, k0 + batch * s * c + column, vb, v0 + batch * s * c + column, ob, batch * t * c + column, first, Math.min(t, first + chunk));
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

    private static INDArray rowMajor(INDArray x) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("attention wants [B, tokens, C], got " + Arrays.toString(x.shape()));
        }
        if (x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("attention wants float32, got " + x.dataType());
        }
        boolean packed = x.ordering() == 'c' && x.stride(2) == 1 && x.stride(1) == x.size(2) && x.stride(0) == x.size(1) * x.size(2);
        return packed ? x : x.dup('c');
    }

    /** One head's sizes; {@link #run} does one task. */
    private record Head(int t, int s, int c, int d, float scale, boolean causal) {

        /**
         * Queries {@code [first, end)} of one (batch, head): {@code q0}, {@code k0}, {@code v0} and
         * {@code o0} index the head's column 0 of token 0 in the [., ., C] buffers.
         */
        void run(FloatBuffer q, int q0, FloatBuffer k, int k0, FloatBuffer v, int v0, FloatBuffer o, int o0, int first, int end) {
            int sp = roundUp(s, L);
            int dp = roundUp(d, L);
            int full = sp / (4 * L) * (4 * L);                              // keys in whole panels of 4 vectors
            int rows = roundUp(end - first, MICRO_ROWS);
            float[] qt = BUFFERS.get(QUERIES, rows * d);                     // [rows, d], scaled
            float[] kt = BUFFERS.get(KEYS_T, d * sp);                        // K^T [d, S'] in panels of keys
            float[] vp = BUFFERS.get(VALUES, sp * dp);                       // [S', d']
            float[] sc = BUFFERS.get(SCORES, BLOCK_ROWS * sp);               // [BLOCK_ROWS, S']
            float[] op = BUFFERS.get(OUT, BLOCK_ROWS * dp);                  // [BLOCK_ROWS, d']
            float[] row = op;                                                // a key row passes through op first
            for (int j = 0; j < s; j++) {
                k.get(k0 + j * c, row, 0, d);
                int width = j < full ? 4 * L : L;
                for (int e = 0, at = keyAt(j, d, full); e < d; e++, at += width) {
                    kt[at] = row[e];
                }
                v.get(v0 + j * c, vp, j * dp, d);
            }
            // K^T's padding keys are left as they are: their scores are overwritten with -inf. V's
            // padding rows must be finite (0 x NaN would be NaN), its padding columns are never read back.
            Arrays.fill(vp, s * dp, sp * dp, 0f);
            for (int i = 0; i < rows; i++) {
                if (first + i < end) {
                    q.get(q0 + (first + i) * c, qt, i * d, d);
                    for (int e = i * d; e < (i + 1) * d; e++) {
                        qt[e] *= scale;
                    }
                } else {
                    Arrays.fill(qt, i * d, (i + 1) * d, 0f);
                }
            }
            float[] inv = new float[BLOCK_ROWS];
            for (int r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
                int n = Math.min(BLOCK_ROWS, rows - r0);
                for (int r = 0; r < n; r += MICRO_ROWS) {
                    scores(qt, (r0 + r) * d, d, kt, sp, sc, r * sp);
                }
                for (int r = 0; r < n; r++) {
                    int visible = causal ? Math.min(s, first + r0 + r + 1) : s;
                    Arrays.fill(sc, r * sp + visible, (r + 1) * sp, Float.NEGATIVE_INFINITY);
                    inv[r] = expRow(sc, r * sp, sp);
                }
                for (int r = 0; r < n; r += MICRO_ROWS) {
                    values(sc, r * sp, sp, vp, dp, op, r * dp, inv, r);
                }
                for (int r = 0; r < n && first + r0 + r < end; r++) {
                    o.put(o0 + (first + r0 + r) * c, op, r * dp, d);
                }
            }
        }
    }

    /** Where K[j, 0] is in the panels of K^T (see {@link #scores}); K[j, e] is {@code e} panel widths further. */
    private static int keyAt(int j, int d, int full) {
        int panel = j < full ? j / (4 * L) * (4 * L) : j / L * L;
        return panel * d + j - panel;
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /**
     * {@code sc[at + r sp + j] = sum_e qt[q + r d + e] K[j, e]} for the 4 queries r and every key j;
     * K^T is stored in panels, [d, 4L] for the keys of whole panels of 4 vectors and then [d, L]:
     * a panel starting at key j0 with width w holds (e, j) at {@code j0 d + e w + j - j0}, so a
     * tile reads one contiguous run (rows of K^T at a stride of S' floats conflicted in L1).
     */
    static void scores(float[] qt, int q, int d, float[] kt, int sp, float[] sc, int at) {
        int j = 0;
        for (; j + 4 * L <= sp; j += 4 * L) {
            scores4x4(qt, q, d, kt, sp, j, sc, at);
        }
        for (; j < sp; j += L) {
            scores4x1(qt, q, d, kt, sp, j, sc, at);
        }
    }

    private static void scores4x4(float[] qt, int q, int d, float[] kt, int sp, int j, float[] sc, int at) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a23 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a33 = a00;
        for (int e = 0; e < d; e++) {
            int kr = j * d + e * 4 * L;
            FloatVector k0 = FloatVector.fromArray(S, kt, kr);
            FloatVector k1 = FloatVector.fromArray(S, kt, kr + L);
            FloatVector k2 = FloatVector.fromArray(S, kt, kr + 2 * L);
            FloatVector k3 = FloatVector.fromArray(S, kt, kr + 3 * L);
            FloatVector x = FloatVector.broadcast(S, qt[q + e]);
            a00 = k0.fma(x, a00);
            a01 = k1.fma(x, a01);
            a02 = k2.fma(x, a02);
            a03 = k3.fma(x, a03);
            x = FloatVector.broadcast(S, qt[q + d + e]);
            a10 = k0.fma(x, a10);
            a11 = k1.fma(x, a11);
            a12 = k2.fma(x, a12);
            a13 = k3.fma(x, a13);
            x = FloatVector.broadcast(S, qt[q + 2 * d + e]);
            a20 = k0.fma(x, a20);
            a21 = k1.fma(x, a21);
            a22 = k2.fma(x, a22);
            a23 = k3.fma(x, a23);
            x = FloatVector.broadcast(S, qt[q + 3 * d + e]);
            a30 = k0.fma(x, a30);
            a31 = k1.fma(x, a31);
            a32 = k2.fma(x, a32);
            a33 = k3.fma(x, a33);
        }
        int o = at + j;
        a00.intoArray(sc, o);
        a01.intoArray(sc, o + L);
        a02.intoArray(sc, o + 2 * L);
        a03.intoArray(sc, o + 3 * L);
        o += sp;
        a10.intoArray(sc, o);
        a11.intoArray(sc, o + L);
        a12.intoArray(sc, o + 2 * L);
        a13.intoArray(sc, o + 3 * L);
        o += sp;
        a20.intoArray(sc, o);
        a21.intoArray(sc, o + L);
        a22.intoArray(sc, o + 2 * L);
        a23.intoArray(sc, o + 3 * L);
        o += sp;
        a30.intoArray(sc, o);
        a31.intoArray(sc, o + L);
        a32.intoArray(sc, o + 2 * L);
        a33.intoArray(sc, o + 3 * L);
    }

    private static void scores4x1(float[] qt, int q, int d, float[] kt, int sp, int j, float[] sc, int at) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int e = 0; e < d; e++) {
            FloatVector k0 = FloatVector.fromArray(S, kt, j * d + e * L);
            a0 = k0.fma(FloatVector.broadcast(S, qt[q + e]), a0);
            a1 = k0.fma(FloatVector.broadcast(S, qt[q + d + e]), a1);
            a2 = k0.fma(FloatVector.broadcast(S, qt[q + 2 * d + e]), a2);
            a3 = k0.fma(FloatVector.broadcast(S, qt[q + 3 * d + e]), a3);
        }
        a0.intoArray(sc, at + j);
        a1.intoArray(sc, at + sp + j);
        a2.intoArray(sc, at + 2 * sp + j);
        a3.intoArray(sc, at + 3 * sp + j);
    }

    /**
     * {@code sc[at, at + n) = exp(sc - max)} in place, n a whole number of vectors; returns
     * {@code 1 / sum}, NaN when the row's max is not finite (a NaN score, +inf, or no visible key),
     * which makes the output row NaN, as softmax's is.
     */
    static float expRow(float[] sc, int at, int n) {
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = at; j < at + n; j += L) {
            mv = mv.max(FloatVector.fromArray(S, sc, j));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        if (!Float.isFinite(max)) {
            Arrays.fill(sc, at, at + n, 0f);
            return Float.NaN;
        }
        FloatVector sv = FloatVector.zero(S);
        for (int j = at; j < at + n; j += L) {
            FloatVector e = VectorKernels.exp(FloatVector.fromArray(S, sc, j).sub(max));
            e.intoArray(sc, j);
            sv = sv.add(e);
        }
        float sum = 0f;
        for (int lane = 0; lane < L; lane++) {
            sum += sv.lane(lane);
        }
        return 1f / sum;
    }

    /** {@code op[at + r dp + e] = inv[r0 + r] sum_j sc[p + r sp + j] vp[j dp + e]} for the 4 queries r. */
    static void values(float[] sc, int p, int sp, float[] vp, int dp, float[] op, int at, float[] inv, int r0) {
        int e = 0;
        while (e < dp) {
            int left = (dp - e) / L;
            int width = left == 4 ? 2 : Math.min(3, left);
            if (width == 3) {
                values4x3(sc, p, sp, vp, dp, e, op, at, inv, r0);
            } else if (width == 2) {
                values4x2(sc, p, sp, vp, dp, e, op, at, inv, r0);
            } else {
                values4x1(sc, p, sp, vp, dp, e, op, at, inv, r0);
            }
            e += width * L;
        }
    }

    private static void values4x3(float[] sc, int p, int sp, float[] vp, int dp, int e, float[] op, int at, float[] inv, int r0) {
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
        for (int j = 0; j < sp; j++) {
            int vr = j * dp + e;
            FloatVector v0 = FloatVector.fromArray(S, vp, vr);
            FloatVector v1 = FloatVector.fromArray(S, vp, vr + L);
            FloatVector v2 = FloatVector.fromArray(S, vp, vr + 2 * L);
            FloatVector x = FloatVector.broadcast(S, sc[p + j]);
            a00 = v0.fma(x, a00);
            a01 = v1.fma(x, a01);
            a02 = v2.fma(x, a02);
            x = FloatVector.broadcast(S, sc[p + sp + j]);
            a10 = v0.fma(x, a10);
            a11 = v1.fma(x, a11);
            a12 = v2.fma(x, a12);
            x = FloatVector.broadcast(S, sc[p + 2 * sp + j]);
            a20 = v0.fma(x, a20);
            a21 = v1.fma(x, a21);
            a22 = v2.fma(x, a22);
            x = FloatVector.broadcast(S, sc[p + 3 * sp + j]);
            a30 = v0.fma(x, a30);
            a31 = v1.fma(x, a31);
            a32 = v2.fma(x, a32);
        }
        int o = at + e;
        float w = inv[r0];
        a00.mul(w).intoArray(op, o);
        a01.mul(w).intoArray(op, o + L);
        a02.mul(w).intoArray(op, o + 2 * L);
        o += dp;
        w = inv[r0 + 1];
        a10.mul(w).intoArray(op, o);
        a11.mul(w).intoArray(op, o + L);
        a12.mul(w).intoArray(op, o + 2 * L);
        o += dp;
        w = inv[r0 + 2];
        a20.mul(w).intoArray(op, o);
        a21.mul(w).intoArray(op, o + L);
        a22.mul(w).intoArray(op, o + 2 * L);
        o += dp;
        w = inv[r0 + 3];
        a30.mul(w).intoArray(op, o);
        a31.mul(w).intoArray(op, o + L);
        a32.mul(w).intoArray(op, o + 2 * L);
    }

    private static void values4x2(float[] sc, int p, int sp, float[] vp, int dp, int e, float[] op, int at, float[] inv, int r0) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        for (int j = 0; j < sp; j++) {
            int vr = j * dp + e;
            FloatVector v0 = FloatVector.fromArray(S, vp, vr);
            FloatVector v1 = FloatVector.fromArray(S, vp, vr + L);
            FloatVector x = FloatVector.broadcast(S, sc[p + j]);
            a00 = v0.fma(x, a00);
            a01 = v1.fma(x, a01);
            x = FloatVector.broadcast(S, sc[p + sp + j]);
            a10 = v0.fma(x, a10);
            a11 = v1.fma(x, a11);
            x = FloatVector.broadcast(S, sc[p + 2 * sp + j]);
            a20 = v0.fma(x, a20);
            a21 = v1.fma(x, a21);
            x = FloatVector.broadcast(S, sc[p + 3 * sp + j]);
            a30 = v0.fma(x, a30);
            a31 = v1.fma(x, a31);
        }
        int o = at + e;
        a00.mul(inv[r0]).intoArray(op, o);
        a01.mul(inv[r0]).intoArray(op, o + L);
        o += dp;
        a10.mul(inv[r0 + 1]).intoArray(op, o);
        a11.mul(inv[r0 + 1]).intoArray(op, o + L);
        o += dp;
        a20.mul(inv[r0 + 2]).intoArray(op, o);
        a21.mul(inv[r0 + 2]).intoArray(op, o + L);
        o += dp;
        a30.mul(inv[r0 + 3]).intoArray(op, o);
        a31.mul(inv[r0 + 3]).intoArray(op, o + L);
    }

    private static void values4x1(float[] sc, int p, int sp, float[] vp, int dp, int e, float[] op, int at, float[] inv, int r0) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int j = 0; j < sp; j++) {
            FloatVector v0 = FloatVector.fromArray(S, vp, j * dp + e);
            a0 = v0.fma(FloatVector.broadcast(S, sc[p + j]), a0);
            a1 = v0.fma(FloatVector.broadcast(S, sc[p + sp + j]), a1);
            a2 = v0.fma(FloatVector.broadcast(S, sc[p + 2 * sp + j]), a2);
            a3 = v0.fma(FloatVector.broadcast(S, sc[p + 3 * sp + j]), a3);
        }
        a0.mul(inv[r0]).intoArray(op, at + e);
        a1.mul(inv[r0 + 1]).intoArray(op, at + dp + e);
        a2.mul(inv[r0 + 2]).intoArray(op, at + 2 * dp + e);
        a3.mul(inv[r0 + 3]).intoArray(op, at + 3 * dp + e);
    }
}
