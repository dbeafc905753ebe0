package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Winograd}'s filter transform {@code U = G g G^T} for F(4x4, 3x3): each 3x3 filter g to a
 * 6x6 tile, one value in each of U's 36 planes, with
 *
 * <pre>
 *   G = |  1/4     0     0  |
 *       | -1/6  -1/6  -1/6  |
 *       | -1/6   1/6  -1/6  |
 *       |  1/24  1/12  1/6  |
 *       |  1/24 -1/12  1/6  |
 *       |  0     0     1    |
 * </pre>
 *
 * <p>U is written in the layout {@link VectorGemm} reads: row-major [out, in] planes, or panels of
 * {@link VectorGemm#ROWS} output rows. Deterministic and the same compiled or interpreted: lanes
 * and the scalar tail multiply and add in the same order, with no fma.
 */
final class WinogradFilters {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private WinogradFilters() {
    }

    /**
     * {@code U[6 i + j](o, c) = (G g G^T)[i, j]}, plane xi of U from {@code u[xi stride]}, for
     * every filter {@code g = weight[o0 + o, c]}, o below {@code count}, in panels of {@code p} rows
     * (element (o, c) of a plane at {@code (o / p) p in + p c + o % p}): {@link VectorGemm}'s panels
     * for p = {@link VectorGemm#ROWS}, row-major for p = 1; rows {@code count .. rows} are zero. One
     * task per panel and block of input channels ({@link #FILTER_CHUNK} for panels, all of them for
     * rows): the taps are gathered into the panel's order once, into 9 planes over which
     * {@link #filterTiles} runs in lanes.
     */
    static void transform(INDArray weight, int o0, int count, float[] u, int stride, int rows, int p) {
        int in = (int) weight.size(1);
        INDArray dense = FusedKernels.dense(weight);
        FloatBuffer src = dense.data().asNioFloat();
        int srcBase = (int) dense.offset();
        int chunk = p == 1 ? in : FILTER_CHUNK;
        int chunks = (in + chunk - 1) / chunk;
        IntStream.range(0, rows / p * chunks).parallel().forEach(task -> {
            int panel = task / chunks;
            int c0 = task % chunks * chunk;
            int cn = Math.min(chunk, in - c0);
            transformSlice(src, srcBase + o0 * in * 9, in, count, panel * p, p, c0, cn, p, u, stride, panel * p * in + p * c0);
        });
    }

    /**
     * U of one slice of filters, on the calling thread: rows {@code r0 .. r0 + rows} of a
     * convolution's outputs (rows from {@code count} on zero) and input channels {@code c0 .. c0 +
     * cn} of {@code w} ([out, in, 3, 3] from {@code wAt}), as a run of the A of a gemm over k = cn:
     * plane xi from {@code u[xi stride]}, element (r, c), r counted from r0, at {@code at + (r / p)
     * p cn + p c + r % p} for panels of p = {@link VectorGemm#ROWS} rows, at {@code at + r cn + c}
     * for p = 1. The taps are gathered a group of rows at a time (a panel, or up to
     * {@link VectorGemm#ROWS_UNPACKED} rows), whose outputs are one run of each plane. Winograd's
     * slices are whole local planes (at = 0); {@link #transform}'s tasks are one panel, or one row,
     * of the whole U.
     */
    static void transformSlice(FloatBuffer w, int wAt, int in, int count, int r0, int rows, int c0, int cn, int p, float[] u, int stride, int at) {
        int group = p == 1 ? Math.min(rows, VectorGemm.ROWS_UNPACKED) : p;
        int step = p == 1 ? 1 : p;
        float[] g = FILTERS.get(0, 9 * cn);
        float[][] taps = filterPlanes(1, 9, group * cn);
        float[] t0 = taps[0];
        float[] t1 = taps[1];
        float[] t2 = taps[2];
        float[] t3 = taps[3];
        float[] t4 = taps[4];
        float[] t5 = taps[5];
        float[] t6 = taps[6];
        float[] t7 = taps[7];
        float[] t8 = taps[8];
        for (int g0 = 0; g0 < rows; g0 += group) {
            int gn = Math.min(group, rows - g0);
            for (int r = 0; r < gn; r++) {
                int o = r0 + g0 + r;
                if (o < count) {
                    w.get(wAt + (o * in + c0) * 9, g, 0, 9 * cn);
                } else {
                    Arrays.fill(g, 0, 9 * cn, 0f);
                }
                for (int c = 0, t = p == 1 ? r * cn : r; c < cn; c++, t += step) {     // g read in order, 9 planes written
                    int from = 9 * c;
                    t0[t] = g[from];
                    t1[t] = g[from + 1];
                    t2[t] = g[from + 2];
                    t3[t] = g[from + 3];
                    t4[t] = g[from + 4];
                    t5[t] = g[from + 5];
                    t6[t] = g[from + 6];
                    t7[t] = g[from + 7];
                    t8[t] = g[from + 8];
                }
            }
            filterTiles(taps, gn * cn, u, stride, at + g0 * cn);
        }
    }

    /**
     * Input channels per filter-transform task: its 9 tap planes of 14 x 64 floats, 32 KB, which the
     * gather writes 14 times over (once per row, at a stride of 14), stay in L1.
     */
    private static final int FILTER_CHUNK = 64;

    /**
     * {@code u[xi stride + at + x] = ((G g) G^T)[i, j]}, xi = 6 i + j, for the 3x3 filters
     * {@code g[a][b] = taps[3 a + b][x]}, x below {@code length}: per vector of filters, the 9 taps
     * are loaded once, the rows of {@code G g} are formed in registers (two at a time where they
     * share terms) and each row's 6 outputs are stored, so the 36 planes are
     * written once and nothing else touches memory. G's rows 1-4 share their sums: G (a, b, c) is
     * {@code (a/4, e + f, e - f, h + k, h - k, c)} with {@code e = -(a + c)/6}, {@code f = -b/6},
     * {@code h = a/24 + c/6}, {@code k = b/12}: 12 operations instead of 30 (the transform was a
     * third of a 16x16 convolution at 30). The six rows' blocks are written out: as a helper method
     * the row was not inlined ("callee is too large") and its vectors would be boxed. Multiplies
     * and adds only, no fma, in lanes and in the scalar tail alike.
     */
    private static void filterTiles(float[][] taps, int length, float[] u, int stride, int at) {
        float[] t0 = taps[0];
        float[] t1 = taps[1];
        float[] t2 = taps[2];
        float[] t3 = taps[3];
        float[] t4 = taps[4];
        float[] t5 = taps[5];
        float[] t6 = taps[6];
        float[] t7 = taps[7];
        float[] t8 = taps[8];
        int x = 0;
        for (; x + L <= length; x += L) {
            FloatVector g0 = FloatVector.fromArray(S, t0, x);
            FloatVector g1 = FloatVector.fromArray(S, t1, x);
            FloatVector g2 = FloatVector.fromArray(S, t2, x);
            FloatVector g3 = FloatVector.fromArray(S, t3, x);
            FloatVector g4 = FloatVector.fromArray(S, t4, x);
            FloatVector g5 = FloatVector.fromArray(S, t5, x);
            FloatVector g6 = FloatVector.fromArray(S, t6, x);
            FloatVector g7 = FloatVector.fromArray(S, t7, x);
            FloatVector g8 = FloatVector.fromArray(S, t8, x);
            int o = at + x;
            FloatVector a0 = g0.mul(QUARTER);                                             // row 0 of G g: g_0 / 4
            FloatVector b0 = g1.mul(QUARTER);
            FloatVector c0 = g2.mul(QUARTER);
            FloatVector e0 = a0.add(c0).mul(MINUS_SIXTH);
            FloatVector f0 = b0.mul(MINUS_SIXTH);
            FloatVector h0 = a0.mul(TWENTYFOURTH).add(c0.mul(SIXTH));
            FloatVector k0 = b0.mul(TWELFTH);
            a0.mul(QUARTER).intoArray(u, o);
            e0.add(f0).intoArray(u, o + stride);
            e0.sub(f0).intoArray(u, o + 2 * stride);
            h0.add(k0).intoArray(u, o + 3 * stride);
            h0.sub(k0).intoArray(u, o + 4 * stride);
            c0.intoArray(u, o + 5 * stride);
            FloatVector colE0 = g0.add(g6).mul(MINUS_SIXTH);                                  // rows 1, 2: e -+ f
            FloatVector colE1 = g1.add(g7).mul(MINUS_SIXTH);
            FloatVector colE2 = g2.add(g8).mul(MINUS_SIXTH);
            FloatVector colF0 = g3.mul(MINUS_SIXTH);
            FloatVector colF1 = g4.mul(MINUS_SIXTH);
            FloatVector colF2 = g5.mul(MINUS_SIXTH);
            FloatVector a1 = colE0.add(colF0);
            FloatVector b1 = colE1.add(colF1);
            FloatVector c1 = colE2.add(colF2);
            FloatVector e1 = a1.add(c1).mul(MINUS_SIXTH);
            FloatVector f1 = b1.mul(MINUS_SIXTH);
            FloatVector h1 = a1.mul(TWENTYFOURTH).add(c1.mul(SIXTH));
            FloatVector k1 = b1.mul(TWELFTH);
            a1.mul(QUARTER).intoArray(u, o + 6 * stride);
            e1.add(f1).intoArray(u, o + 7 * stride);
            e1.sub(f1).intoArray(u, o + 8 * stride);
            h1.add(k1).intoArray(u, o + 9 * stride);
            h1.sub(k1).intoArray(u, o + 10 * stride);
            c1.intoArray(u, o + 11 * stride);
            FloatVector a2 = colE0.sub(colF0);
            FloatVector b2 = colE1.sub(colF1);
            FloatVector c2 = colE2.sub(colF2);
            FloatVector e2 = a2.add(c2).mul(MINUS_SIXTH);
            FloatVector f2 = b2.mul(MINUS_SIXTH);
            FloatVector h2 = a2.mul(TWENTYFOURTH).add(c2.mul(SIXTH));
            FloatVector k2 = b2.mul(TWELFTH);
            a2.mul(QUARTER).intoArray(u, o + 12 * stride);
            e2.add(f2).intoArray(u, o + 13 * stride);
            e2.sub(f2).intoArray(u, o + 14 * stride);
            h2.add(k2).intoArray(u, o + 15 * stride);
            h2.sub(k2).intoArray(u, o + 16 * stride);
            c2.intoArray(u, o + 17 * stride);
            FloatVector colH0 = g0.mul(TWENTYFOURTH).add(g6.mul(SIXTH));                      // rows 3, 4: h +- k
            FloatVector colH1 = g1.mul(TWENTYFOURTH).add(g7.mul(SIXTH));
            FloatVector colH2 = g2.mul(TWENTYFOURTH).add(g8.mul(SIXTH));
            FloatVector colK0 = g3.mul(TWELFTH);
            FloatVector colK1 = g4.mul(TWELFTH);
            FloatVector colK2 = g5.mul(TWELFTH);
            FloatVector a3 = colH0.add(colK0);
            FloatVector b3 = colH1.add(colK1);
            FloatVector c3 = colH2.add(colK2);
            FloatVector e3 = a3.add(c3).mul(MINUS_SIXTH);
            FloatVector f3 = b3.mul(MINUS_SIXTH);
            FloatVector h3 = a3.mul(TWENTYFOURTH).add(c3.mul(SIXTH));
            FloatVector k3 = b3.mul(TWELFTH);
            a3.mul(QUARTER).intoArray(u, o + 18 * stride);
            e3.add(f3).intoArray(u, o + 19 * stride);
            e3.sub(f3).intoArray(u, o + 20 * stride);
            h3.add(k3).intoArray(u, o + 21 * stride);
            h3.sub(k3).intoArray(u, o + 22 * stride);
            c3.intoArray(u, o + 23 * stride);
            FloatVector a4 = colH0.sub(colK0);
            FloatVector b4 = colH1.sub(colK1);
            FloatVector c4 = colH2.sub(colK2);
            FloatVector e4 = a4.add(c4).mul(MINUS_SIXTH);
            FloatVector f4 = b4.mul(MINUS_SIXTH);
            FloatVector h4 = a4.mul(TWENTYFOURTH).add(c4.mul(SIXTH));
            FloatVector k4 = b4.mul(TWELFTH);
            a4.mul(QUARTER).intoArray(u, o + 24 * stride);
            e4.add(f4).intoArray(u, o + 25 * stride);
            e4.sub(f4).intoArray(u, o + 26 * stride);
            h4.add(k4).intoArray(u, o + 27 * stride);
            h4.sub(k4).intoArray(u, o + 28 * stride);
            c4.intoArray(u, o + 29 * stride);
            FloatVector e5 = g6.add(g8).mul(MINUS_SIXTH);
            FloatVector f5 = g7.mul(MINUS_SIXTH);
            FloatVector h5 = g6.mul(TWENTYFOURTH).add(g8.mul(SIXTH));
            FloatVector k5 = g7.mul(TWELFTH);
            g6.mul(QUARTER).intoArray(u, o + 30 * stride);
            e5.add(f5).intoArray(u, o + 31 * stride);
            e5.sub(f5).intoArray(u, o + 32 * stride);
            h5.add(k5).intoArray(u, o + 33 * stride);
            h5.sub(k5).intoArray(u, o + 34 * stride);
            g8.intoArray(u, o + 35 * stride);
        }
        for (; x < length; x++) {
            for (int i = 0; i < 6; i++) {
                float r0 = columnOfG(i, t0[x], t3[x], t6[x]);                              // row i of G g
                float r1 = columnOfG(i, t1[x], t4[x], t7[x]);
                float r2 = columnOfG(i, t2[x], t5[x], t8[x]);
                for (int j = 0; j < 6; j++) {
                    u[(6 * i + j) * stride + at + x] = columnOfG(j, r0, r1, r2);
                }
            }
        }
    }

    private static final float QUARTER = 1f / 4;
    private static final float SIXTH = 1f / 6;
    private static final float MINUS_SIXTH = -1f / 6;
    private static final float TWELFTH = 1f / 12;
    private static final float TWENTYFOURTH = 1f / 24;

    /** Element i of G (a, b, c), in the order of operations of the lanes. */
    private static float columnOfG(int i, float a, float b, float c) {
        switch (i) {
            case 0:
                return a * QUARTER;
            case 1:
                return (a + c) * MINUS_SIXTH + b * MINUS_SIXTH;
            case 2:
                return (a + c) * MINUS_SIXTH - b * MINUS_SIXTH;
            case 3:
                return (a * TWENTYFOURTH + c * SIXTH) + b * TWELFTH;
            case 4:
                return (a * TWENTYFOURTH + c * SIXTH) - b * TWELFTH;
            default:
                return c;
        }
    }

    /** The filter transform's per-thread arrays: slot 0 one filter's taps over a chunk, 1-9 the panel's tap planes. */
    private static final ThreadBuffers FILTERS = new ThreadBuffers(10);

    /** This thread's {@link #FILTERS} slots {@code first .. first + count}, each at least {@code length} long. */
    private static float[][] filterPlanes(int first, int count, int length) {
        float[][] planes = new float[count][];
        for (int i = 0; i < count; i++) {
            planes[i] = FILTERS.get(first + i, length);
        }
        return planes;
    }
}
