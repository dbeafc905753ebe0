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
    private static final float[][] G = {
        {1f / 4, 0, 0},
        {-1f / 6, -1f / 6, -1f / 6},
        {-1f / 6, 1f / 6, -1f / 6},
        {1f / 24, 1f / 12, 1f / 6},
        {1f / 24, -1f / 12, 1f / 6},
        {0, 0, 1},
    };

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
            int length = p * cn;
            float[] g = FILTERS.get(0, 9 * cn);
            float[][] taps = filterPlanes(1, 9, length);
            float[] t0 = taps[0];
            float[] t1 = taps[1];
            float[] t2 = taps[2];
            float[] t3 = taps[3];
            float[] t4 = taps[4];
            float[] t5 = taps[5];
            float[] t6 = taps[6];
            float[] t7 = taps[7];
            float[] t8 = taps[8];
            for (int r = 0; r < p; r++) {                              // [cn, 9] of each row -> 9 planes of [cn, p]
                int o = panel * p + r;
                if (o < count) {
                    src.get(srcBase + ((o0 + o) * in + c0) * 9, g, 0, 9 * cn);
                } else {
                    Arrays.fill(g, 0, 9 * cn, 0f);
                }
                for (int c = 0, at = r; c < cn; c++, at += p) {             // g read in order, 9 planes written
                    int from = 9 * c;
                    t0[at] = g[from];
                    t1[at] = g[from + 1];
                    t2[at] = g[from + 2];
                    t3[at] = g[from + 3];
                    t4[at] = g[from + 4];
                    t5[at] = g[from + 5];
                    t6[at] = g[from + 6];
                    t7[at] = g[from + 7];
                    t8[at] = g[from + 8];
                }
            }
            filterTiles(taps, length, u, stride, panel * p * in + p * c0);
        });
    }

    /**
     * Input channels per filter-transform task: its 9 tap planes of 14 x 64 floats, 32 KB, which the
     * gather writes 14 times over (once per row, at a stride of 14), stay in L1.
     */
    private static final int FILTER_CHUNK = 64;

    /**
     * {@code u[xi stride + at + x] = ((G g) G^T)[i, j]}, xi = 6 i + j, for the 3x3 filters
     * {@code g[a][b] = taps[3 a + b][x]}, x below {@code length}: per vector of filters, the 9 taps
     * are loaded once, each row i of {@code G g} is formed in registers and its 6 outputs stored,
     * so the 36 planes are written once and nothing else touches memory (as 54 passes of
     * three-term sums over the planes, the transform took a third of a 16x16 convolution). Each
     * output is {@code (k0 a + k1 b) + k2 d} of {@code (k0 a + k1 b) + k2 d}, with no fma, in lanes
     * and in the scalar tail alike.
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
            for (int i = 0; i < 6; i++) {
                float a = G[i][0];
                float b = G[i][1];
                float d = G[i][2];
                FloatVector r0 = g0.mul(a).add(g3.mul(b)).add(g6.mul(d));
                FloatVector r1 = g1.mul(a).add(g4.mul(b)).add(g7.mul(d));
                FloatVector r2 = g2.mul(a).add(g5.mul(b)).add(g8.mul(d));
                for (int j = 0; j < 6; j++) {
                    r0.mul(G[j][0]).add(r1.mul(G[j][1])).add(r2.mul(G[j][2])).intoArray(u, (6 * i + j) * stride + at + x);
                }
            }
        }
        for (; x < length; x++) {
            for (int i = 0; i < 6; i++) {
                float a = G[i][0];
                float b = G[i][1];
                float d = G[i][2];
                float r0 = a * t0[x] + b * t3[x] + d * t6[x];
                float r1 = a * t1[x] + b * t4[x] + d * t7[x];
                float r2 = a * t2[x] + b * t5[x] + d * t8[x];
                for (int j = 0; j < 6; j++) {
                    u[(6 * i + j) * stride + at + x] = G[j][0] * r0 + G[j][1] * r1 + G[j][2] * r2;
                }
            }
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
