package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 3x3, stride 1, padding 1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and
 * Gray 2016, "Fast Algorithms for Convolutional Neural Networks", section 4.1): each 2x2 output
 * tile is {@code Y = A^T [ (G g G^T) . (B^T d B) ] A} for its 4x4 input patch d, so per tile and
 * channel pair 16 multiplies replace 36, and the multiplies are 16 independent gemms
 * {@code M[xi] = U[xi] V[xi]}, {@code U [16, out, in]}, {@code V [16, in, tiles]}, 2.25x fewer FLOPs
 * than the direct convolution.
 *
 * <pre>
 *   B^T = | 1  0 -1  0 |    G = | 1    0    0   |    A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |        | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
 *         | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |        | 0    0    1   |
 * </pre>
 *
 * <p>Index {@code xi = 4 i + j}: row i of the left transform, column j of the right one. The
 * filter transform U is recomputed on every call (caching it would add 16/9 of every 3x3 weight to
 * the model's memory: ~1.5 GB for SD 1.5). Transforms run in Java, planes in parallel; the
 * gemms are ND4J's. Tiles beyond an odd side read zeros and their extra outputs are dropped.
 * Float32 error is that of the direct convolution's order of magnitude: the transforms only add,
 * subtract and halve (WinogradTest: within 1.2e-6 of max |y| of oneDNN at 40 input channels).
 */
final class Winograd {
    private static final ThreadBuffers FILTERS = new ThreadBuffers(2);

    private Winograd() {
    }

    /**
     * {@code x [N, in, H, W] -> [N, out, H, W]} with {@code weight [out, in, 3, 3]} and an optional
     * {@code bias [out]} (null for none); x dense, 'c' order.
     */
    static INDArray conv3x3(INDArray x, INDArray weight, float[] bias) {
        int n = (int) x.size(0);
        int in = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int out = (int) weight.size(0);
        int tilesH = (h + 1) / 2;
        int tilesW = (w + 1) / 2;
        int perImage = tilesH * tilesW;
        long tiles = (long) n * perImage;
        INDArray u = filterTransform(weight);                                              // [16, out, in]
        INDArray v = Nd4j.createUninitialized(DataType.FLOAT, 16, in, tiles);              // [16, in, tiles]
        inputTransform(x, n, in, h, w, tilesH, tilesW, v);
        INDArray m = Nd4j.createUninitialized(DataType.FLOAT, 16, out, tiles);             // [16, out, tiles]
        for (int xi = 0; xi < 16; xi++) {
            Nd4j.gemm(u.slice(xi), v.slice(xi), m.slice(xi), false, false, 1.0, 0.0);
        }
        Tensors.release(u, v);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, out, h, w);
        outputTransform(m, n, out, h, w, tilesH, tilesW, bias, y);
        Tensors.release(m);
        return y;
    }

    /** {@code U[4i + j, o, c] = (G g G^T)[i, j]} for every filter {@code g = weight[o, c]}. */
    static INDArray filterTransform(INDArray weight) {
        int out = (int) weight.size(0);
        int in = (int) weight.size(1);
        INDArray dense = FusedKernels.dense(weight);
        INDArray u = Nd4j.createUninitialized(DataType.FLOAT, 16, out, in);
        FloatBuffer src = dense.data().asNioFloat();
        FloatBuffer dst = u.data().asNioFloat();
        int srcBase = (int) dense.offset();
        int dstBase = (int) u.offset();
        long plane = (long) out * in;
        IntStream.range(0, out).parallel().forEach(o -> {
            float[] g = FILTERS.get(0, 9 * in);
            float[] t = FILTERS.get(1, 16 * in);
            src.get(srcBase + o * 9 * in, g, 0, 9 * in);
            float[] h = new float[12];                                                     // g G^T, [3 rows, 4 columns]
            for (int c = 0; c < in; c++) {
                int b = 9 * c;
                for (int r = 0; r < 3; r++) {
                    float a0 = g[b + 3 * r];
                    float a1 = g[b + 3 * r + 1];
                    float a2 = g[b + 3 * r + 2];
                    h[4 * r] = a0;
                    h[4 * r + 1] = 0.5f * (a0 + a1 + a2);
                    h[4 * r + 2] = 0.5f * (a0 - a1 + a2);
                    h[4 * r + 3] = a2;
                }
                for (int j = 0; j < 4; j++) {                                              // G (g G^T), column j
                    float h0 = h[j];
                    float h1 = h[4 + j];
                    float h2 = h[8 + j];
                    t[j * in + c] = h0;                                                    // i = 0
                    t[(4 + j) * in + c] = 0.5f * (h0 + h1 + h2);                           // i = 1
                    t[(8 + j) * in + c] = 0.5f * (h0 - h1 + h2);                           // i = 2
                    t[(12 + j) * in + c] = h2;                                             // i = 3
                }
            }
            for (int xi = 0; xi < 16; xi++) {
                dst.put((int) (dstBase + xi * plane + (long) o * in), t, xi * in, in);
            }
        });
        return u;
    }

    /**
     * {@code V[4i + j, c, tile] = (B^T d B)[i, j]}, d the 4x4 input patch of the tile (zeros outside the map).
     *
     * <p>Per plane: each row of the zero-padded plane is split into its even and odd columns
     * (E, O), so that the four column combinations of {@code d B} are unit-stride loops over tile
     * columns ({@code d0 - d2 = E[tx] - E[tx+1]}, ...), and the four row combinations of
     * {@code B^T (d B)} likewise over tiles; every stream has its own array, which lets C2 vectorise
     * the loops (one array with several offsets would be a possible alias to it).
     */
    private static void inputTransform(INDArray x, int n, int in, int h, int w, int tilesH, int tilesW, INDArray v) {
        INDArray src = FusedKernels.dense(x);
        FloatBuffer s = src.data().asNioFloat();
        FloatBuffer d = v.data().asNioFloat();
        int sBase = (int) src.offset();
        long dBase = v.offset();
        int padH = 2 * tilesH + 2;                                    // padded rows: one zero ring, even sides
        int perImage = tilesH * tilesW;
        long tiles = (long) n * perImage;
        IntStream.range(0, n * in).parallel().forEach(plane -> {
            int sample = plane / in;
            int c = plane % in;
            Scratch k = SCRATCH.get().fit(w, padH, tilesW, perImage);
            for (int y = 0; y < padH; y++) {
                int iy = y - 1;
                float[] even = k.even;
                float[] odd = k.odd;
                Arrays.fill(even, 0, tilesW + 1, 0f);
                Arrays.fill(odd, 0, tilesW + 1, 0f);
                if (iy >= 0 && iy < h) {
                    s.get(sBase + (plane * h + iy) * w, k.row, 0, w);
                    for (int ix = 0; ix < w; ix++) {                  // padded column ix + 1
                        if ((ix & 1) == 0) {
                            odd[ix >> 1] = k.row[ix];
                        } else {
                            even[(ix + 1) >> 1] = k.row[ix];
                        }
                    }
                }
                int at = y * tilesW;
                float[] c0 = k.cols[0];
                float[] c1 = k.cols[1];
                float[] c2 = k.cols[2];
                float[] c3 = k.cols[3];
                for (int tx = 0; tx < tilesW; tx++) {                 // d B: d0 - d2, d1 + d2, d2 - d1, d1 - d3
                    c0[at + tx] = even[tx] - even[tx + 1];
                    c1[at + tx] = odd[tx] + even[tx + 1];
                    c2[at + tx] = even[tx + 1] - odd[tx];
                    c3[at + tx] = odd[tx] - odd[tx + 1];
                }
            }
            for (int j = 0; j < 4; j++) {                             // B^T (d B): r0 - r2, r1 + r2, r2 - r1, r1 - r3
                float[] cj = k.cols[j];
                float[] t0 = k.tiles[j];
                float[] t1 = k.tiles[4 + j];
                float[] t2 = k.tiles[8 + j];
                float[] t3 = k.tiles[12 + j];
                for (int ty = 0; ty < tilesH; ty++) {
                    int r0 = 2 * ty * tilesW;
                    int r1 = r0 + tilesW;
                    int r2 = r1 + tilesW;
                    int r3 = r2 + tilesW;
                    int o = ty * tilesW;
                    for (int tx = 0; tx < tilesW; tx++) {
                        t0[o + tx] = cj[r0 + tx] - cj[r2 + tx];
                        t1[o + tx] = cj[r1 + tx] + cj[r2 + tx];
                        t2[o + tx] = cj[r2 + tx] - cj[r1 + tx];
                        t3[o + tx] = cj[r1 + tx] - cj[r3 + tx];
                    }
                }
            }
            for (int xi = 0; xi < 16; xi++) {
                d.put((int) (dBase + (xi * (long) in + c) * tiles + (long) sample * perImage), k.tiles[xi], 0, perImage);
            }
        });
    }

    /** {@code y[tile] = A^T M A + bias}, M the tile's 16 gemm outputs; the 2x2 tiles are written into their planes. */
    private static void outputTransform(INDArray m, int n, int out, int h, int w, int tilesH, int tilesW, float[] bias, INDArray y) {
        FloatBuffer s = m.data().asNioFloat();
        FloatBuffer d = y.data().asNioFloat();
        long sBase = m.offset();
        int dBase = (int) y.offset();
        int perImage = tilesH * tilesW;
        long tiles = (long) n * perImage;
        IntStream.range(0, n * out).parallel().forEach(plane -> {
            int sample = plane / out;
            int k = plane % out;
            Scratch b = SCRATCH.get().fit(w, 2 * tilesH + 2, tilesW, perImage);
            for (int xi = 0; xi < 16; xi++) {
                s.get((int) (sBase + (xi * (long) out + k) * tiles + (long) sample * perImage), b.tiles[xi], 0, perImage);
            }
            float[][] t = b.tiles;
            for (int j = 0; j < 4; j++) {                             // A^T M: rows m0 + m1 + m2 and m1 - m2 - m3
                float[] m0 = t[j];
                float[] m1 = t[4 + j];
                float[] m2 = t[8 + j];
                float[] m3 = t[12 + j];
                float[] a0 = b.cols[j];
                float[] a1 = b.rows[j];
                for (int i = 0; i < perImage; i++) {
                    a0[i] = m0[i] + m1[i] + m2[i];
                    a1[i] = m1[i] - m2[i] - m3[i];
                }
            }
            float bk = bias == null ? 0f : bias[k];
            for (int a = 0; a < 2; a++) {                             // (A^T M) A: columns s0 + s1 + s2 and s1 - s2 - s3
                float[][] r = a == 0 ? b.cols : b.rows;
                float[] left = b.left[a];
                float[] right = b.right[a];
                float[] s0 = r[0];
                float[] s1 = r[1];
                float[] s2 = r[2];
                float[] s3 = r[3];
                for (int i = 0; i < perImage; i++) {
                    left[i] = s0[i] + s1[i] + s2[i] + bk;
                    right[i] = s1[i] - s2[i] - s3[i] + bk;
                }
            }
            float[] line = b.row;
            for (int yy = 0; yy < h; yy++) {                          // output row yy = 2 ty + a
                float[] left = b.left[yy & 1];
                float[] right = b.right[yy & 1];
                int o = (yy >> 1) * tilesW;
                for (int tx = 0; tx < tilesW; tx++) {
                    line[2 * tx] = left[o + tx];
                    line[2 * tx + 1] = right[o + tx];
                }
                d.put(dBase + (plane * h + yy) * w, line, 0, w);
            }
        });
    }

    /** A thread's working arrays, one per stream (see {@link #inputTransform}), grown to the largest plane seen. */
    private static final class Scratch {
        float[] row = new float[0];
        float[] even = new float[0];
        float[] odd = new float[0];
        final float[][] cols = new float[4][0];
        final float[][] rows = new float[4][0];
        final float[][] tiles = new float[16][0];
        final float[][] left = new float[2][0];
        final float[][] right = new float[2][0];

        Scratch fit(int w, int padH, int tilesW, int perImage) {
            if (row.length < 2 * tilesW + 2) {
                row = new float[2 * tilesW + 2];
                even = new float[tilesW + 1];
                odd = new float[tilesW + 1];
            }
            int colLength = Math.max(padH * tilesW, perImage);
            for (int i = 0; i < 4; i++) {
                cols[i] = cols[i].length < colLength ? new float[colLength] : cols[i];
                rows[i] = rows[i].length < perImage ? new float[perImage] : rows[i];
            }
            for (int i = 0; i < 16; i++) {
                tiles[i] = tiles[i].length < perImage ? new float[perImage] : tiles[i];
            }
            for (int i = 0; i < 2; i++) {
                left[i] = left[i].length < perImage ? new float[perImage] : left[i];
                right[i] = right[i].length < perImage ? new float[perImage] : right[i];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
