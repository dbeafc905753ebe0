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
 * and output transforms ({@link WinogradTiles}) run in Vector API lanes over whole planes, whatever the map's width: the
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
        return conv3x3(x, scale, weight, bias, bandRows, Addends.NONE);
    }

    /** Bands of {@link #bandRows} for the (upsampled) map. */
    private static INDArray conv3x3(INDArray x, int scale, INDArray weight, float[] bias, Addends add) {
        int rows = bandRows((int) x.size(0), (int) x.size(1), (int) weight.size(0), scale * (int) x.size(2), scale * (int) x.size(3));
        return conv3x3(x, scale, weight, bias, rows, add);
    }

    /** Bands of {@code bandRows}, U in {@link #outputsPerBlock} blocks or in slices as {@link #sliced} decides. */
    private static INDArray conv3x3(INDArray x, int scale, INDArray weight, float[] bias, int bandRows, Addends add) {
        return conv3x3(x, scale, weight, bias, bandRows, outputsPerBlock((int) x.size(1), (int) weight.size(0)),
                sliced((int) x.size(0), scale * (int) x.size(2), scale * (int) x.size(3), bandRows), add);
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
        return conv3x3(x, 1, weight, bias, bandRows, Addends.NONE);
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
        return !VectorGemm.panels(new WinogradTiles.Layout(n, h, w, 0, rows).tilesPadded);
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
            WinogradTiles.Layout whole = new WinogradTiles.Layout(n, h, w, 0, h);
            boolean panels = VectorGemm.panels(oneBand ? whole.tilesPadded : new WinogradTiles.Layout(n, h, w, 0, bandRows).tilesPadded);
            if (sliced) {
                INDArray filters = FusedKernels.dense(weight);
                int rows = (out + VectorGemm.tileRows(panels) - 1) / VectorGemm.tileRows(panels) * VectorGemm.tileRows(panels);
                for (int y0 = 0; y0 < h; y0 += bandRows) {
                    WinogradTiles.Layout l = oneBand ? whole : new WinogradTiles.Layout(n, h, w, y0, Math.min(bandRows, h - y0));
                    Planes v = t.v.fit(in * l.tilesPadded, 0);
                    WinogradTiles.inputTransform(dense, scale, in, l, v);                                // 1. V of a band
                    Planes m = t.m.fit(rows * l.tilesPadded, L);
                    slicedGemms(filters, out, rows, panels, v, l.tilesPadded, m);          // 2. U slice by slice, M[xi] += U[xi] V[xi]
                    WinogradTiles.outputTransform(m, out, 0, l, bias, add.perChannel(), addMap, y);      // 3. Y = A^T M A + bias (+ addends)
                }
                return y;
            }
            if (oneBand) {
                WinogradTiles.inputTransform(dense, scale, in, whole, t.v.fit(in * whole.tilesPadded, 0));   // 1. V, when it is one band
            }
            for (int o0 = 0; o0 < out; o0 += perBlock) {
                int count = Math.min(perBlock, out - o0);
                int per = VectorGemm.tileRows(panels);
                int rows = (count + per - 1) / per * per;
                Planes u = t.u.fit(rows * in, 0);                                          // 2. U of a block of outputs
                WinogradFilters.transform(weight, o0, count, u.a, u.at(1), rows, panels ? VectorGemm.ROWS : 1);
                for (int y0 = 0; y0 < h; y0 += bandRows) {
                    WinogradTiles.Layout l = oneBand ? whole : new WinogradTiles.Layout(n, h, w, y0, Math.min(bandRows, h - y0));
                    if (!oneBand) {
                        WinogradTiles.inputTransform(dense, scale, in, l, t.v.fit(in * l.tilesPadded, 0));   // 3. V of a band
                    }
                    Planes v = t.v;
                    Planes m = t.m.fit(rows * l.tilesPadded, L);                           // + L: transformA reads whole vectors
                    IntStream.range(0, 36).parallel().forEach(xi ->                        // 4. M[xi] = U[xi] V[xi]
                            VectorGemm.multiply(u.a, u.at(xi), rows, in, panels, v.a, v.at(xi), l.tilesPadded, m.a, m.at(xi)));
                    WinogradTiles.outputTransform(m, count, o0, l, bias, add.perChannel(), addMap, y);    // 5. Y = A^T M A + bias (+ addends)
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
    static final class Planes {
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
}
