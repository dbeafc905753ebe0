package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 3x3, stride 1, padding 1 convolution by Winograd's minimal filtering F(4x4, 3x3) (Lavin and
 * Gray 2016, "Fast Algorithms for Convolutional Neural Networks", section 4.2, interpolation points
 * 0, 1, -1, 2, -2 and infinity): each 4x4 output tile is {@code Y = A^T [ (G g G^T) . (B^T d B) ] A}
 * for its 6x6 input patch d, computed as 36 gemms {@code M[xi] = U[xi] V[xi]} with
 * {@code U [36, out, in]} and {@code V [36, in, tiles]}: 4x fewer multiplies than the direct
 * convolution. (F(2x2, 3x3), 2.25x fewer, was this class before: F(4x4, 3x3) measured 0.66-0.74x
 * its time on the SD 1.5 U-Net's wide convolutions at 32x32 and 64x64, benchmarks/README.md.)
 *
 * <pre>
 *   B^T = | 4  0 -5  0  1  0 |   G = |  1/4     0     0  |   A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6  |         | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6  |         | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |       |  1/24  1/12  1/6  |         | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |       |  1/24 -1/12  1/6  |
 *         | 0  4  0 -5  0  1 |       |  0     0     1    |
 * </pre>
 *
 * <p>Index {@code xi = 6 i + j}: row i of the left transform, column j of the right one. The input
 * and output transforms run in Vector API lanes over whole planes, whatever the map's width: the
 * zero-padded input plane is split into 16 phase planes {@code P[q][r][u, t] = padded[4u + q, 4t + r]},
 * in which each element of a tile's patch is one phase plane at the tile's index or the next one
 * (C2 did not vectorise the six-output scalar loops: 8x slower). Tasks are blocks of channels, so
 * that each reads or writes its slice of V and M in 36 contiguous runs. Tiles beyond a side that is
 * not a multiple of 4 read zeros and their outputs are dropped. The filter transform U
 * ({@link WinogradFilters}) runs on every call: caching it would keep 4x every 3x3 weight it
 * serves. U, V and M are Java heap arrays (see {@link Transforms}) and the 36 gemms run on them in
 * {@link VectorGemm}, one per task; on maps of few tiles U is never whole but made and used a
 * slice at a time in L2 ({@link #slicedGemms}).
 *
 * <p>Deterministic and the same compiled or interpreted: lanes only multiply, add and subtract, and
 * each gemm element is one fma chain in a fixed order.
 * Float32 error is ~10x the direct convolution's (the transforms' coefficients reach 8 and 1/24;
 * WinogradTest measures it against oneDNN).
 */
final class Winograd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** A task's slice of V or M is about this many floats per xi (channels x tiles). */
    private static final int BLOCK_FLOATS = 2048;

    private Winograd() {
    }

    /**
     * {@code x [N, in, H, W] -> [N, out, H, W]} with {@code weight [out, in, 3, 3]} and an optional
     * {@code bias [out]} (null for none); a non-dense x is copied, in Winograd's workspace.
     */
    static INDArray conv3x3(INDArray x, INDArray weight, float[] bias) {
        return conv3x3(x, weight, bias, Addends.NONE);
    }

    /** The same, plus {@code add}'s terms after the bias, in the output transform's pass. */
    static INDArray conv3x3(INDArray x, INDArray weight, float[] bias, Addends add) {
        return conv3x3(x, 1, weight, bias, add);
    }

    /**
     * The convolution of x upsampled by nearest neighbours 2x ({@code [N, in, h, w] -> [N, out, 2h,
     * 2w]}, each value repeated over a 2x2 block), without the upsampled map: the input transform
     * reads x's rows and repeats each value as it gathers a band. The same bits as
     * {@code conv3x3(upsampled x)}; the U-Net's and the VAE decoder's upsampling layers.
     */
    static INDArray conv3x3Upsampled(INDArray x, INDArray weight, float[] bias) {
        return conv3x3(x, 2, weight, bias, Addends.NONE);
    }

    /** {@link #conv3x3(INDArray, INDArray, float[], int)} of x upsampled {@code scale}x (1 or 2) by nearest neighbours. */
    static INDArray conv3x3Upsampled(INDArray x, int scale, INDArray weight, float[] bias, int bandRows) {
        int h = scale * (int) x.size(2);
        int w = scale * (int) x.size(3);
        return conv3x3(x, scale, weight, bias, bandRows, outputsPerBlock((int) x.size(1), (int) weight.size(0)),
                sliced((int) x.size(0), h, w, bandRows), Addends.NONE);
    }

    private static INDArray conv3x3(INDArray x, int scale, INDArray weight, float[] bias, Addends add) {
        int h = scale * (int) x.size(2);
        int w = scale * (int) x.size(3);
        int rows = bandRows((int) x.size(0), (int) x.size(1), (int) weight.size(0), h, w);
        return conv3x3(x, scale, weight, bias, rows, outputsPerBlock((int) x.size(1), (int) weight.size(0)),
                sliced((int) x.size(0), h, w, rows), add);
    }

    /**
     * What the output transform adds to a convolution's outputs after the bias, each in its own
     * rounding and in this order, so the sums are those of separate adds afterwards, bit for bit:
     * {@code perChannel} [N out] (a value per sample and output channel, the U-Net's timestep
     * embedding) and {@code map} [N, out, H, W] (a residual); either may be null. A pass over the
     * [N, out, H, W] result each, saved (the embedding's broadcast add measured 1.5 ms at 320 x 64 x 64,
     * batch 2; the residual's 0.6 ms).
     */
    record Addends(float[] perChannel, INDArray map) {
        static final Addends NONE = new Addends(null, null);
    }

    /**
     * {@link #conv3x3(INDArray, INDArray, float[])} in bands of {@code bandRows} output rows: each band
     * reads its rows and a one-row halo from the map (zeros only outside it), so any band height
     * gives the same sums, and bands of a multiple of 4 rows (as {@link #bandRows} makes) keep the
     * tiling of one band and so its bits. V and M are one band's, U one block's of
     * {@link #outputsPerBlock} output channels.
     */
    static INDArray conv3x3(INDArray x, INDArray weight, float[] bias, int bandRows) {
        return conv3x3(x, weight, bias, bandRows, outputsPerBlock((int) x.size(1), (int) weight.size(0)));
    }

    /**
     * The same with U and M in blocks of {@code perBlock} output channels (each channel's sums do
     * not depend on it), or in slices ({@link #slicedGemms}) where a band has fewer than 4 vectors
     * of tiles: the U-Net's 16x16 maps.
     */
    static INDArray conv3x3(INDArray x, INDArray weight, float[] bias, int bandRows, int perBlock) {
        return conv3x3(x, weight, bias, bandRows, perBlock, sliced((int) x.size(0), (int) x.size(2), (int) x.size(3), bandRows));
    }

    /** Whether bands of {@code bandRows} rows of an [n, ., h, w] input have fewer than 4 vectors of tiles, so U is made in slices. */
    private static boolean sliced(int n, int h, int w, int bandRows) {
        int rows = Math.min(Math.max(1, bandRows), h);
        return !VectorGemm.panels(new Layout(n, h, w, 0, rows).tilesPadded);
    }

    /** The same, U in slices when {@code sliced} (perBlock then unused), else in blocks: both give the same bits. */
    static INDArray conv3x3(INDArray x, INDArray weight, float[] bias, int bandRows, int perBlock, boolean sliced) {
        return conv3x3(x, weight, bias, bandRows, perBlock, sliced, Addends.NONE);
    }

    /** The same, plus {@code add}'s terms. */
    static INDArray conv3x3(INDArray x, INDArray weight, float[] bias, int bandRows, int perBlock, boolean sliced, Addends add) {
        return conv3x3(x, 1, weight, bias, bandRows, perBlock, sliced, add);
    }

    /** The same on x upsampled {@code scale}x (1 or 2) by nearest neighbours, as the input transform reads it. */
    private static INDArray conv3x3(INDArray x, int scale, INDArray weight, float[] bias, int bandRows, int perBlock, boolean sliced,
            Addends add) {
        if (bandRows <= 0 || perBlock <= 0) {
            throw new IllegalArgumentException("bands of " + bandRows + " rows, blocks of " + perBlock + " outputs");
        }
        if (scale != 1 && scale != 2) {
            throw new IllegalArgumentException("nearest upsampling by 1 or 2, not " + scale);
        }
        int n = (int) x.size(0);
        int in = (int) x.size(1);
        int h = scale * (int) x.size(2);
        int w = scale * (int) x.size(3);
        int out = (int) weight.size(0);
        if (add.perChannel() != null && add.perChannel().length != n * out) {
            throw new IllegalArgumentException("a value per sample and channel: " + n * out + " expected, got " + add.perChannel().length);
        }
        if (add.map() != null && !Arrays.equals(add.map().shape(), new long[] {n, out, h, w})) {
            throw new IllegalArgumentException("an added map of [" + n + ", " + out + ", " + h + ", " + w + "] expected, got "
                    + Arrays.toString(add.map().shape()));
        }
        INDArray addMap = add.map() == null ? null : FusedKernels.dense(add.map());
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, out, h, w);               // in the caller's memory
        boolean oneBand = bandRows >= h;
        Transforms mine = TRANSFORMS.get();
        Transforms t = mine.busy ? new Transforms() : mine;                                // a call nested on this thread gets its own
        t.busy = true;
        try (MemoryWorkspace input = activate(INPUT_ID)) {                                 // a dense copy of x, if x is not
            INDArray dense = FusedKernels.dense(x);
            Layout whole = new Layout(n, h, w, 0, h);
            boolean panels = VectorGemm.panels(oneBand ? whole.tilesPadded : new Layout(n, h, w, 0, bandRows).tilesPadded);
            if (sliced) {
                INDArray filters = FusedKernels.dense(weight);
                int rows = (out + VectorGemm.tileRows(panels) - 1) / VectorGemm.tileRows(panels) * VectorGemm.tileRows(panels);
                for (int y0 = 0; y0 < h; y0 += bandRows) {
                    Layout l = oneBand ? whole : new Layout(n, h, w, y0, Math.min(bandRows, h - y0));
                    Planes v = t.v.fit(in * l.tilesPadded, 0);
                    inputTransform(dense, scale, in, l, v);                                // 1. V of a band
                    Planes m = t.m.fit(rows * l.tilesPadded, L);
                    slicedGemms(filters, out, rows, panels, v, l.tilesPadded, m);          // 2. U slice by slice, M[xi] += U[xi] V[xi]
                    outputTransform(m, out, 0, l, bias, add.perChannel(), addMap, y);      // 3. Y = A^T M A + bias (+ addends)
                }
                return y;
            }
            if (oneBand) {
                inputTransform(dense, scale, in, whole, t.v.fit(in * whole.tilesPadded, 0));   // 1. V, when it is one band
            }
            for (int o0 = 0; o0 < out; o0 += perBlock) {
                int count = Math.min(perBlock, out - o0);
                int per = VectorGemm.tileRows(panels);
                int rows = (count + per - 1) / per * per;
                Planes u = t.u.fit(rows * in, 0);                                          // 2. U of a block of outputs
                WinogradFilters.transform(weight, o0, count, u.a, u.at(1), rows, panels ? VectorGemm.ROWS : 1);
                for (int y0 = 0; y0 < h; y0 += bandRows) {
                    Layout l = oneBand ? whole : new Layout(n, h, w, y0, Math.min(bandRows, h - y0));
                    if (!oneBand) {
                        inputTransform(dense, scale, in, l, t.v.fit(in * l.tilesPadded, 0));   // 3. V of a band
                    }
                    Planes v = t.v;
                    Planes m = t.m.fit(rows * l.tilesPadded, L);                           // + L: transformA reads whole vectors
                    IntStream.range(0, 36).parallel().forEach(xi ->                        // 4. M[xi] = U[xi] V[xi]
                            VectorGemm.multiply(u.a, u.at(xi), rows, in, panels, v.a, v.at(xi), l.tilesPadded, m.a, m.at(xi)));
                    outputTransform(m, count, o0, l, bias, add.perChannel(), addMap, y);    // 5. Y = A^T M A + bias (+ addends)
                }
            }
        } finally {
            t.busy = false;
        }
        return y;
    }

    /** Input channels per slice of U: 36 x 64 rows x 64 floats, 0.6 MB, stay in L2 while the 36 gemms read them. */
    private static final int SLICE_IN = 64;
    /** A task's output rows: whole register tiles, at most 8 of them, and at least 8 tasks where the rows allow. */
    private static final int SLICE_TILES = 8;
    private static final ThreadBuffers SLICES = new ThreadBuffers(1);

    /**
     * {@code M[xi] = U[xi] V[xi]} for all 36 xi with U made a slice at a time and never whole: each
     * task takes a run of output rows and, for each {@link #SLICE_IN} input channels, transforms
     * its filters into local planes ({@link WinogradFilters#transformSlice}) and adds their 36
     * products into its rows of M ({@link VectorGemm#multiply} accumulating: the fma chains over k
     * carry through M, so the bits are those of the whole-U gemms). Where a band has few tiles (n =
     * 32 at the U-Net's 16x16 maps), each U value serves only n multiplies, and writing the whole U
     * (4x the weights: 236 MB for 1280 -> 1280) and reading it back cost as much as the gemms; a
     * slice is written and read in L2. 1280 -> 1280 at 16x16: 36-40 vs 46-49 ms; 2560 -> 1280: 74
     * vs 96 ms; at 32x32 and 64x64 (128 and 512 tiles) the blocks were faster (31 vs 37 ms at
     * 640 -> 640, 32x32), as each slice re-reads all of V.
     */
    private static void slicedGemms(INDArray weight, int out, int rows, boolean panels, Planes v, int n, Planes m) {
        FloatBuffer w = weight.data().asNioFloat();
        int wAt = (int) weight.offset();
        int in = (int) weight.size(1);
        int per = VectorGemm.tileRows(panels);
        int perTask = per * Math.max(1, Math.min(SLICE_TILES, rows / per / 8));
        int tasks = (rows + perTask - 1) / perTask;
        IntStream.range(0, tasks).parallel().forEach(task -> {
            int r0 = task * perTask;
            int rn = Math.min(perTask, rows - r0);
            float[] u = SLICES.get(0, 36 * spread(perTask * SLICE_IN));
            for (int c0 = 0; c0 < in; c0 += SLICE_IN) {
                int cn = Math.min(SLICE_IN, in - c0);
                int stride = spread(rn * cn);
                WinogradFilters.transformSlice(w, wAt, in, out, r0, rn, c0, cn, panels ? VectorGemm.ROWS : 1, u, stride, 0);
                for (int xi = 0; xi < 36; xi++) {
                    VectorGemm.multiply(u, xi * stride, rn, cn, panels, v.a, v.at(xi) + c0 * n, n, m.a, m.at(xi) + r0 * n, c0 > 0);
                }
            }
        });
    }

    /**
     * A plane stride of at least {@code length} floats that is 3 cache lines past a multiple of
     * 4 KB: the 36 planes' values of one filter then fall in 36 different sets of L1 (64 sets of
     * 64 bytes), where a multiple of 4 KB put all 36 stores of the transform in one (1280 -> 1280
     * at 16x16: 45 vs 38-40 ms).
     */
    static int spread(int length) {
        return length + Math.floorMod(48 - length, 1024);
    }

    /**
     * A calling thread's U, V and M, each 36 planes {@code U[xi] [rows, in]}, {@code V[xi] [in,
     * tiles]}, {@code M[xi] [rows, tiles]} (U in {@link VectorGemm}'s panels of rows or row-major, V
     * and M row-major; tiles padded to whole vectors with zeros, rows to whole tiles with zero
     * filters), grown to the largest use and kept between calls (~0.1 GB for SD 1.5, bounded by
     * {@link #FILTER_BYTES} and {@link #BAND_BYTES}); the transforms write and read them in place and
     * {@link VectorGemm} multiplies them with no copies.
     */
    private static final class Transforms {
        final Planes u = new Planes();
        final Planes v = new Planes();
        final Planes m = new Planes();
        /** Held by a call on this thread (a fork-join worker waiting inside one could run another). */
        boolean busy;
    }

    /**
     * 36 planes in one heap array, plane xi from {@code xi * stride}: one G1 humongous object (36
     * arrays of ~2 MB would each take whole 2 MB regions plus one, twice their size), grown by an
     * eighth beyond the request so that a run's growing shapes reallocate it a few times only.
     */
    private static final class Planes {
        float[] a = new float[0];
        private int stride;

        /** Planes of {@code length} floats, then {@code slack} more at the end. */
        Planes fit(int length, int slack) {
            long needed = 36L * length + slack;
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("Winograd's 36 planes of " + length + " floats do not fit one Java array");
            }
            if (a.length < needed) {
                a = null;                                                      // the old array is garbage before the new one exists
                a = new float[(int) Math.min(Integer.MAX_VALUE - 16, needed + needed / 8)];
            }
            stride = length;
            return this;
        }

        /** Where plane xi starts. */
        int at(int xi) {
            return xi * stride;
        }
    }

    private static final ThreadLocal<Transforms> TRANSFORMS = ThreadLocal.withInitial(Transforms::new);

    /**
     * A non-dense input's dense copy lives in a workspace of this thread, reset when its scope closes
     * and kept, grown to the largest use, between calls: a fresh array would pay ~3 ms per MB of
     * first-touch page faults on every call, and inside a caller's workspace (the U-Net's block
     * scratch) every such copy of a block would add up until the block ends.
     */
    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.OVER_TIME)
            .cyclesBeforeInitialization(1)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();
    private static final String INPUT_ID = "meg-winograd-input";

    private static MemoryWorkspace activate(String id) {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, id);
    }

    /** Frees this thread's Winograd workspace and its U, V and M; the next call re-creates them. */
    static void releaseScratch() {
        if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(INPUT_ID)) {
            Nd4j.getWorkspaceManager().destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(INPUT_ID));
        }
        TRANSFORMS.remove();
    }

    /**
     * A block of U (36 x outputs x in floats) stays under this many bytes: whole, 2560 -> 1280 would
     * be 472 MB. (U, V and M are Java heap arrays kept between calls: this and {@link #BAND_BYTES}
     * bound them to ~0.1 GB, which G1 holds resident.)
     */
    static final long FILTER_BYTES = 48L << 20;

    /**
     * Output channels per block of U: the fewest blocks of whole groups of 56 rows (whole tiles of
     * {@link VectorGemm}'s panels and of its row tiles) under {@link #FILTER_BYTES}, as equal as the
     * groups allow, so that only the last block pads rows.
     */
    static int outputsPerBlock(int in, int out) {
        int rows = VectorGemm.ROWS * VectorGemm.ROWS_UNPACKED / 2;                        // 56: whole tiles of either layout
        long perPanel = 36L * in * Float.BYTES * rows;
        long panels = (out + rows - 1) / rows;
        long most = Math.max(1, FILTER_BYTES / perPanel);
        long blocks = (panels + most - 1) / most;
        return (int) Math.min(out, (panels + blocks - 1) / blocks * rows);
    }

    /** V and M of one band together stay under this many bytes (a 512x512 VAE decode's maps: ~0.6 GB unbanded). */
    static final long BAND_BYTES = 48L << 20;

    /** Output rows per band: the whole map if its V and M fit {@link #BAND_BYTES}, else the most tile rows that do. */
    static int bandRows(int n, int in, int out, int h, int w) {
        long perTileRow = 36L * (in + out) * n * ((w + 3) / 4) * Float.BYTES;
        long tileRows = Math.max(1, BAND_BYTES / perTileRow);
        return (int) Math.min((h + 3) / 4, tileRows) * 4;
    }

    /**
     * The tiling of output rows {@code [y0, y0 + rows)} of an [N, ., H, W] map: 4x4 tiles; phase
     * planes of {@code (tilesH + 1) x (tilesW + 1)} over padded rows {@code y0 - 1 ..}, zeros outside the map.
     */
    private static final class Layout {
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
    private static void inputTransform(INDArray x, int scale, int in, Layout l, Planes v) {
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
    private static void outputTransform(Planes m, int out, int first, Layout l, float[] bias, float[] perChannel, INDArray addMap, INDArray y) {
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
