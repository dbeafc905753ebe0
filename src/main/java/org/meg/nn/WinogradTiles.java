package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.meg.nn.Winograd.Planes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Winograd}'s data transforms for F(4x4, 3x3): the input transform {@code V = B^T d B} of
 * every 6x6 patch of a band of rows into V's 36 planes, and the output transform
 * {@code Y = A^T M A} (+ bias and addends) of the 36 gemm outputs back into 4x4 tiles of the
 * result; the tiling of a band ({@link Layout}) and each thread's scratch planes. Lanes only
 * multiply, add and subtract, so the bits are the same compiled or interpreted.
 */
final class WinogradTiles {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** A task's slice of V or M is about this many floats per xi (channels x tiles). */
    private static final int BLOCK_FLOATS = 2048;

    private WinogradTiles() {
    }

    /**
     * The tiling of output rows {@code [y0, y0 + rows)} of an [N, ., H, W] map: 4x4 tiles; phase
     * planes of {@code (tilesH + 1) x (tilesW + 1)} over padded rows {@code y0 - 1 ..}, zeros outside the map.
     */
    static final class Layout {
        final int n;
        final int h;
        final int w;
        final int y0;
        final int rows;
        final int firstRow;                                           // the input rows the band reads: [firstRow, lastRow)
        final int lastRow;
        final int tilesH;
        final int tilesW;
        final int perImage;
        final int tiles;
        final int tilesPadded;                                        // a row of V or M: tiles, rounded up to whole vectors
        final int stride;                                             // a phase plane's row: tilesW + 1
        final int phaseLength;                                        // (tilesH + 1) (tilesW + 1)
        final int scratch;                                            // phaseLength, padded for whole-vector reads

        Layout(int n, int h, int w, int y0, int rows) {
            this.n = n;
            this.h = h;
            this.w = w;
            this.y0 = y0;
            this.rows = rows;
            this.tilesH = (rows + 3) / 4;
            this.firstRow = Math.max(0, y0 - 1);
            this.lastRow = Math.min(h, y0 + 4 * tilesH + 1);
            this.tilesW = (w + 3) / 4;
            this.perImage = tilesH * tilesW;
            this.tiles = n * perImage;
            this.tilesPadded = (tiles + L - 1) / L * L;
            this.stride = tilesW + 1;
            this.phaseLength = (tilesH + 1) * stride;
            this.scratch = phaseLength + 2 * L;
        }

        /** Channels per task: a slice of about {@link #BLOCK_FLOATS} per xi. */
        int block(int channels) {
            return Math.max(1, Math.min(channels, BLOCK_FLOATS / tiles));
        }
    }

    /**
     * {@code v[6 i + j][c tilesPadded + tile] = (B^T d B)[i, j]}, d the tile's 6x6 input patch (zeros
     * outside the map); each row's padding is zero. The map is x upsampled {@code scale}x by nearest
     * neighbours: for 2, x's rows under the band are read and each value written twice into each of
     * two rows of the band's image.
     */
    static void inputTransform(INDArray x, int scale, int in, Layout l, Planes v) {
        FloatBuffer s = x.data().asNioFloat();
        int sBase = (int) x.offset();
        int block = l.block(in);
        int sw = l.w / scale;
        int pixels = l.h / scale * sw;
        int firstSource = l.firstRow / scale;                                 // x's rows under the band: [firstSource, lastSource)
        int lastSource = (l.lastRow - 1) / scale + 1;
        int read = (lastSource - firstSource) * sw;
        IntStream.range(0, (in + block - 1) / block).parallel().forEach(task -> {
            int c0 = task * block;
            int count = Math.min(block, in - c0);
            Scratch k = SCRATCH.get().fitPlanes(l, block);
            if (scale != 1) {
                k.source = Scratch.grow(k.source, read);
            }
            for (int cc = 0; cc < count; cc++) {
                for (int sample = 0; sample < l.n; sample++) {
                    int from = sBase + (sample * in + c0 + cc) * pixels + firstSource * sw;
                    if (scale == 1) {
                        s.get(from, k.image, 0, read);
                    } else {
                        s.get(from, k.source, 0, read);
                        for (int iy = l.firstRow, o = 0; iy < l.lastRow; iy++) {
                            for (int ix = 0, r = (iy / 2 - firstSource) * sw; ix < l.w; ix += 2, r++, o += 2) {
                                k.image[o] = k.source[r];
                                k.image[o + 1] = k.source[r];
                            }
                        }
                    }
                    splitPhases(k.image, l, k.phases);
                    for (int q = 0; q < 4; q++) {                     // d B along every padded row at once
                        float[][] p = k.phases[q];
                        transformB(p[0], p[1], p[2], p[3], p[0], p[1], 1, k.cols[q], l.phaseLength - 1);
                    }
                    for (int j = 0; j < 6; j++) {                     // B^T (d B) down every tile column
                        float[] a = k.cols[0][j];
                        float[] b = k.cols[1][j];
                        transformB(a, b, k.cols[2][j], k.cols[3][j], a, b, l.stride, k.tilesOfColumn(j), l.tilesH * l.stride);
                    }
                    int at = cc * l.tilesPadded + sample * l.perImage;
                    for (int xi = 0; xi < 36; xi++) {                 // drop each row's junk column t = tilesW
                        for (int ty = 0; ty < l.tilesH; ty++) {
                            System.arraycopy(k.tiles[xi], ty * l.stride, k.slices[xi], at + ty * l.tilesW, l.tilesW);
                        }
                    }
                }
                for (int xi = 0; xi < 36; xi++) {
                    Arrays.fill(k.slices[xi], cc * l.tilesPadded + l.tiles, (cc + 1) * l.tilesPadded, 0f);
                }
            }
            for (int xi = 0; xi < 36; xi++) {                         // V[xi][c0 .. c0 + count rows]: one bulk copy from L2
                System.arraycopy(k.slices[xi], 0, v.a, v.at(xi) + c0 * l.tilesPadded, count * l.tilesPadded);
            }
        });
    }

    /**
     * The band's zero-padded rows (padded row yp is map row {@code y0 - 1 + yp}; one zero column before
     * the map, zeros after it up to {@code 4 tiles + 2}) as 16 phase planes
     * {@code p[q][r][u stride + t] = padded[4u + q, 4t + r]}; {@code image} holds map rows from {@code firstRow}.
     */
    private static void splitPhases(float[] image, Layout l, float[][][] p) {
        for (float[][] pq : p) {
            for (float[] pqr : pq) {
                Arrays.fill(pqr, 0, l.phaseLength, 0f);
            }
        }
        for (int iy = l.firstRow; iy < l.lastRow; iy++) {
            int y = iy - l.y0 + 1;
            float[][] pq = p[y & 3];
            int rowBase = (y >> 2) * l.stride;
            int src = (iy - l.firstRow) * l.w;
            for (int r = 0; r < 4; r++) {                             // padded column 4t + r = image column 4t + r - 1
                float[] pqr = pq[r];
                for (int t = r == 0 ? 1 : 0, ix = 4 * t + r - 1; ix < l.w; t++, ix += 4) {
                    pqr[rowBase + t] = image[src + ix];
                }
            }
        }
    }

    /**
     * The six rows of {@code B^T} applied to {@code (d0, d1, d2, d3, d4, d5)} at {@code [0, n)} rounded
     * up to whole vectors, where {@code d4 = e4[i + next]}, {@code d5 = e5[i + next]} and the others are at i.
     */
    private static void transformB(float[] d0, float[] d1, float[] d2, float[] d3, float[] e4, float[] e5, int next, float[][] r, int n) {
        float[] r0 = r[0];
        float[] r1 = r[1];
        float[] r2 = r[2];
        float[] r3 = r[3];
        float[] r4 = r[4];
        float[] r5 = r[5];
        for (int i = 0; i < n; i += L) {
            FloatVector a0 = FloatVector.fromArray(S, d0, i);
            FloatVector a1 = FloatVector.fromArray(S, d1, i);
            FloatVector a2 = FloatVector.fromArray(S, d2, i);
            FloatVector a3 = FloatVector.fromArray(S, d3, i);
            FloatVector a4 = FloatVector.fromArray(S, e4, i + next);
            FloatVector a5 = FloatVector.fromArray(S, e5, i + next);
            a0.mul(4f).sub(a2.mul(5f)).add(a4).intoArray(r0, i);              // 4 d0 - 5 d2 + d4
            a3.add(a4).sub(a1.add(a2).mul(4f)).intoArray(r1, i);              // -4 d1 - 4 d2 + d3 + d4
            a4.sub(a3).add(a1.sub(a2).mul(4f)).intoArray(r2, i);              // 4 d1 - 4 d2 - d3 + d4
            a4.sub(a2).add(a3.sub(a1).mul(2f)).intoArray(r3, i);              // -2 d1 - d2 + 2 d3 + d4
            a4.sub(a2).add(a1.sub(a3).mul(2f)).intoArray(r4, i);              // 2 d1 - d2 - 2 d3 + d4
            a1.mul(4f).sub(a3.mul(5f)).add(a5).intoArray(r5, i);              // 4 d1 - 5 d3 + d5
        }
    }

    /**
     * {@code y[tile] = A^T M A + bias}, M the tile's 36 gemm outputs, for y's channels
     * {@code first .. first + out} from {@code m[xi][k tilesPadded + tile]}; the 4x4 tiles are
     * written into their planes, after {@code perChannel[sample out + channel]} and then the
     * plane of {@code addMap} (a dense [N, out, H, W]) are added to them, where not null.
     */
    static void outputTransform(Planes m, int out, int first, Layout l, float[] bias, float[] perChannel, INDArray addMap, INDArray y) {
        int channels = (int) y.size(1);
        FloatBuffer d = y.data().asNioFloat();
        int dBase = (int) y.offset();
        FloatBuffer added = addMap == null ? null : addMap.data().asNioFloat();
        int addedBase = addMap == null ? 0 : (int) addMap.offset();
        int length = l.rows * l.w;
        int block = l.block(out);
        int pixels = l.h * l.w;
        IntStream.range(0, (out + block - 1) / block).parallel().forEach(task -> {
            int k0 = task * block;
            int count = Math.min(block, out - k0);
            Scratch b = SCRATCH.get().fitPlanes(l, block);
            float[][] t = b.slices;
            for (int xi = 0; xi < 36; xi++) {                         // M[xi][k0 .. k0 + count rows] into L2
                System.arraycopy(m.a, m.at(xi) + k0 * l.tilesPadded, t[xi], 0, count * l.tilesPadded);
            }
            for (int kk = 0; kk < count; kk++) {
                float bk = bias == null ? 0f : bias[first + k0 + kk];
                for (int sample = 0; sample < l.n; sample++) {
                    int at = kk * l.tilesPadded + sample * l.perImage;
                    for (int j = 0; j < 6; j++) {                     // A^T M, column j: 4 rows
                        transformA(t[j], t[6 + j], t[12 + j], t[18 + j], t[24 + j], t[30 + j], at, 0f, b.half[j], l.perImage);
                    }
                    for (int a = 0; a < 4; a++) {                     // (A^T M) A, row a: 4 columns
                        float[][][] r = b.half;
                        transformA(r[0][a], r[1][a], r[2][a], r[3][a], r[4][a], r[5][a], 0, bk, b.outputs[a], l.perImage);
                    }
                    scatter(b.outputs, l, b.image);
                    int plane = (sample * channels + first + k0 + kk) * pixels + l.y0 * l.w;
                    if (perChannel != null) {
                        addScalar(b.image, length, perChannel[sample * channels + first + k0 + kk]);
                    }
                    if (added != null) {
                        added.get(addedBase + plane, b.addend, 0, length);
                        addArray(b.image, b.addend, length);
                    }
                    d.put(dBase + plane, b.image, 0, length);
                }
            }
        });
    }

    /**
     * The four rows of {@code A^T} applied to {@code (m0 .. m5)} at {@code from + [0, n)} (whole
     * vectors), plus {@code bias}, into {@code r[.][0, n)}.
     */
    private static void transformA(float[] m0, float[] m1, float[] m2, float[] m3, float[] m4, float[] m5, int from, float bias, float[][] r, int n) {
        float[] r0 = r[0];
        float[] r1 = r[1];
        float[] r2 = r[2];
        float[] r3 = r[3];
        FloatVector b = FloatVector.broadcast(S, bias);
        for (int i = 0; i < n; i += L) {
            int at = from + i;
            FloatVector a1 = FloatVector.fromArray(S, m1, at);
            FloatVector a2 = FloatVector.fromArray(S, m2, at);
            FloatVector a3 = FloatVector.fromArray(S, m3, at);
            FloatVector a4 = FloatVector.fromArray(S, m4, at);
            FloatVector sum12 = a1.add(a2);
            FloatVector dif12 = a1.sub(a2);
            FloatVector sum34 = a3.add(a4);
            FloatVector dif34 = a3.sub(a4);
            FloatVector.fromArray(S, m0, at).add(sum12).add(sum34).add(b).intoArray(r0, i);     // m0 + m1 + m2 + m3 + m4
            dif12.add(dif34.mul(2f)).add(b).intoArray(r1, i);                                 // m1 - m2 + 2 (m3 - m4)
            sum12.add(sum34.mul(4f)).add(b).intoArray(r2, i);                                 // m1 + m2 + 4 (m3 + m4)
            dif12.add(dif34.mul(8f)).add(FloatVector.fromArray(S, m5, at)).add(b).intoArray(r3, i); // m1 - m2 + 8 (m3 - m4) + m5
        }
    }

    /** {@code a[0, n) += c}. */
    private static void addScalar(float[] a, int n, float c) {
        FloatVector v = FloatVector.broadcast(S, c);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, a, i).add(v).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] += c;
        }
    }

    /** {@code a[0, n) += b[0, n)}. */
    private static void addArray(float[] a, float[] b, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] += b[i];
        }
    }

    /** {@code image[4 ty + a, 4 tx + c] = y[a][c][ty tilesW + tx]}, the band's rows, dropping rows and columns beyond it. */
    private static void scatter(float[][][] y, Layout l, float[] image) {
        for (int yy = 0; yy < l.rows; yy++) {
            float[][] row = y[yy & 3];
            int o = (yy >> 2) * l.tilesW;
            int base = yy * l.w;
            for (int c = 0; c < 4; c++) {
                float[] rc = row[c];
                for (int tx = 0, xx = c; xx < l.w; tx++, xx += 4) {
                    image[base + xx] = rc[o + tx];
                }
            }
        }
    }

    /** A thread's working arrays, grown to the largest shape seen; every length is padded for whole-vector access. */
    private static final class Scratch {
        float[] image = new float[0];
        float[] source = new float[0];                                // x's rows under a band, for an upsampled input
        float[] addend = new float[0];                                // a plane's rows of an added map
        final float[][][] phases = new float[4][4][0];                // [q][r]
        final float[][][] cols = new float[4][6][0];                  // [q][j]: d B on the phase-q rows
        final float[][] tiles = new float[36][0];                     // [6 i + j]: one plane's B^T d B
        final float[][] slices = new float[36][0];                    // [xi]: a task's rows of V or M, [channels, tilesPadded]
        final float[][][] half = new float[6][4][0];                  // [j][a]: A^T M
        final float[][][] outputs = new float[4][4][0];               // [a][c]: A^T M A
        private final float[][] column = new float[6][];

        Scratch fitPlanes(Layout l, int block) {
            image = grow(image, (4 * l.tilesH + 2) * l.w);
            addend = grow(addend, l.rows * l.w);
            int perImage = l.perImage + L;
            for (int q = 0; q < 4; q++) {
                for (int r = 0; r < 4; r++) {
                    phases[q][r] = grow(phases[q][r], l.scratch);
                    outputs[q][r] = grow(outputs[q][r], perImage);
                }
                for (int j = 0; j < 6; j++) {
                    cols[q][j] = grow(cols[q][j], l.scratch);
                }
            }
            for (int i = 0; i < 36; i++) {
                tiles[i] = grow(tiles[i], l.scratch);
                slices[i] = grow(slices[i], block * l.tilesPadded + L);
            }
            for (int j = 0; j < 6; j++) {
                for (int a = 0; a < 4; a++) {
                    half[j][a] = grow(half[j][a], perImage);
                }
            }
            return this;
        }

        /** The six output streams {@code tiles[6 i + j]}, i = 0..5, of column j. */
        float[][] tilesOfColumn(int j) {
            for (int i = 0; i < 6; i++) {
                column[i] = tiles[6 * i + j];
            }
            return column;
        }

        static float[] grow(float[] a, int length) {
            return a.length < length ? new float[length] : a;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
