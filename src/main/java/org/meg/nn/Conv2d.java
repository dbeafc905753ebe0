package org.meg.nn;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import org.nd4j.linalg.api.buffer.DataType;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/** 2-D convolution, NCHW, PyTorch weight layout [out, in, kH, kW] (ND4J's OIYX). */
public final class Conv2d {
    private final INDArray weight;
    private final INDArray bias;
    private final Conv2DConfig config;
    private final Conv2DConfig bandConfig;                            // the same with no row padding: bands carry their halo
    private final int outChannels;
    private final int stride;
    private final int padding;
    private final INDArray weight2d;                                  // [out, in k k], a view of weight
    private final float[] biasValues;                                 // bias for the Winograd path, null for none
    /** Input depth {@code in k k} from which a k > 1 convolution takes the gemm path (1280 channels x 3 x 3). */
    static final long GEMM_MIN_DEPTH = 1280 * 9;
    /** Output positions per sample below which the gemm path batches the samples into one gemm. */
    static final long BATCHED_MAX_POSITIONS = 256;

    private Conv2d(INDArray weight, INDArray bias, int stride, int padding) {
        this.weight = weight;
        this.bias = bias;
        this.outChannels = (int) weight.size(0);
        this.stride = stride;
        this.padding = padding;
        this.weight2d = weight.reshape('c', weight.size(0), weight.size(1) * weight.size(2) * weight.size(3));
        this.biasValues = bias == null ? null : bias.dup().data().asFloat();
        this.config = config(weight, stride, padding, padding);
        this.bandConfig = config(weight, 1, 0, padding);
    }

    /** ND4J's conv2d settings: NCHW, OIYX weights, explicit row and column padding, no dilation. */
    private static Conv2DConfig config(INDArray weight, int stride, int padRows, int padColumns) {
        return Conv2DConfig.builder()
                .kH(weight.size(2)).kW(weight.size(3))
                .sH(stride).sW(stride).pH(padRows).pW(padColumns).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID)
                .dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX)
                .build();
    }

    /** Loads {@code weight} [out, in, k, k] and {@code bias} [out] from {@code w}. */
    public static Conv2d load(Weights w, int in, int out, int kernel, int stride, int padding) {
        INDArray weight = w.take("weight", out, in, kernel, kernel);
        INDArray bias = w.take("bias", out);
        return new Conv2d(weight, bias, stride, padding);
    }

    /** Loads {@code weight} [out, in, k, k] only, for a conv without bias (PyTorch {@code bias=False}). */
    public static Conv2d loadNoBias(Weights w, int in, int out, int kernel, int stride, int padding) {
        return new Conv2d(w.take("weight", out, in, kernel, kernel), null, stride, padding);
    }

    /** Builds from arrays already in memory; {@code bias} may be null. */
    public static Conv2d of(INDArray weight, INDArray bias, int stride, int padding) {
        return new Conv2d(weight, bias, stride, padding);
    }

    /** Output channels. */
    public int outChannels() {
        return outChannels;
    }

    /**
     * {@code [N, in, H, W] -> [N, out, H', W']}.
     *
     * <p>Two paths, chosen by shape ({@link #preferGemm}): 1x1 kernels and wide inputs run as one
     * gemm, {@code Y = W [out, in k k] cols [in k k, N H' W']} with the columns built by
     * {@link Im2col}; the rest go to ND4J's conv2d (oneDNN's brgconv), which is faster there but
     * slow on 1280-channel weights (it re-lays them out on every call).
     */
    public INDArray forward(INDArray x) {
        if (preferWinograd(x)) {
            return winogradForward(x);
        }
        if (preferGemm(x)) {
            return gemmForward(x);
        }
        return preferBands(x) ? bandedForward(x) : oneDnnForward(x);
    }

    /**
     * {@code forward(x) + perChannel + residual}, added in that order after the bias:
     * {@code perChannel} [N, out] to every position of its sample's channel (the U-Net's timestep
     * embedding), {@code residual} [N, out, H', W'] element by element; either may be null. On the
     * Winograd path both are added in its output transform's pass over each plane, elsewhere by adds
     * after the convolution: the same roundings in the same order either way, so the same bits as
     * {@link #forward} followed by those adds.
     */
    public INDArray forward(INDArray x, INDArray perChannel, INDArray residual) {
        if (perChannel != null && (perChannel.rank() != 2 || perChannel.size(0) != x.size(0) || perChannel.size(1) != outChannels)) {
            throw new IllegalArgumentException("a [" + x.size(0) + ", " + outChannels + "] value per sample and channel expected, got "
                    + Arrays.toString(perChannel.shape()));
        }
        if (preferWinograd(x)) {
            requireDepth(x);
            float[] shift = perChannel == null ? null : perChannel.castTo(DataType.FLOAT).dup('c').data().asFloat();
            return Winograd.conv3x3(x, weight, biasValues, new Winograd.Addends(shift, residual));
        }
        INDArray y = forward(x);
        if (perChannel != null) {
            y.addi(perChannel.reshape(perChannel.size(0), outChannels, 1, 1));
        }
        if (residual != null) {
            if (!Arrays.equals(residual.shape(), y.shape())) {
                throw new IllegalArgumentException("a residual of " + Arrays.toString(y.shape()) + " expected, got "
                        + Arrays.toString(residual.shape()));
            }
            y.addi(residual);
        }
        return y;
    }

    /** Maps of at least this many positions (128 x 128) go to oneDNN in bands of rows ({@link #bandedForward}). */
    static final long BANDED_MIN_POSITIONS = 128 * 128;
    /** A band's input is about this many bytes (and at least {@link #BAND_MIN_ROWS} rows). */
    static final long BAND_BYTES = 16L << 20;
    static final int BAND_MIN_ROWS = 8;

    /** Whether {@link #forward} runs oneDNN band by band: a stride-1 convolution on a map of at least 128 x 128. */
    boolean preferBands(INDArray x) {
        return stride == 1 && x.rank() == 4 && x.size(2) * x.size(3) >= BANDED_MIN_POSITIONS && x.size(2) > 2L * BAND_MIN_ROWS;
    }

    /**
     * oneDNN's convolution on horizontal bands of output rows, each band's input rows (with their
     * {@code k - 1 - padding}-row halo, zero rows at the map's edges) copied into one reused buffer
     * and convolved with no row padding into a second one, then copied into the result. Same sums
     * in the same order as one call; what changes is memory: oneDNN copies its whole input and
     * output into its blocked layout on every call (measured: 256 -> 128 channels at 512x512 raised
     * the peak by 380 MB beyond the 128 MB result), so on the VAE decoder's full-resolution levels
     * a call now holds ~2 x 16 MB of band buffers instead. Stride 1 only.
     */
    INDArray bandedForward(INDArray x) {
        long rowBytes = 4L * x.size(0) * x.size(1) * x.size(3);
        return bandedForward(x, (int) Math.max(BAND_MIN_ROWS, BAND_BYTES / rowBytes));
    }

    /** {@link #bandedForward(INDArray)} with {@code rows} output rows per band (the last may have fewer). */
    INDArray bandedForward(INDArray x, int bandRows) {
        int n = (int) x.size(0);
        int in = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int k = (int) weight.size(2);
        if (in != weight.size(1)) {
            throw new IllegalArgumentException("conv over " + weight.size(1) + " channels got " + Arrays.toString(x.shape()));
        }
        int outH = h + 2 * padding - k + 1;
        int outW = w + 2 * padding - (int) weight.size(3) + 1;
        int rows = Math.max(1, Math.min(outH, bandRows));
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, outChannels, outH, outW);
        INDArray bandIn = Nd4j.createUninitialized(DataType.FLOAT, n, in, rows + k - 1, w);
        INDArray bandOut = Nd4j.createUninitialized(DataType.FLOAT, n, outChannels, rows, outW);
        for (int y0 = 0; y0 < outH; y0 += rows) {
            int count = Math.min(rows, outH - y0);
            int first = y0 - padding;                                 // input row of the band's first halo row
            int last = first + count + k - 1;                         // exclusive
            INDArray input = count == rows ? bandIn : bandIn.get(all(), all(), interval(0, count + k - 1), all()).dup('c');
            INDArray output = count == rows ? bandOut : Nd4j.createUninitialized(DataType.FLOAT, n, outChannels, count, outW);
            int from = Math.max(0, first);
            int to = Math.min(h, last);
            if (from > first || to < last) {
                input.assign(0f);
            }
            input.get(all(), all(), interval(from - first, to - first), all()).assign(x.get(all(), all(), interval(from, to), all()));
            INDArray[] inputs = bias == null ? new INDArray[] {input, weight} : new INDArray[] {input, weight, bias};
            Nd4j.exec(new Conv2D(inputs, new INDArray[] {output}, bandConfig));
            y.get(all(), all(), interval(y0, y0 + count), all()).assign(output);
        }
        Tensors.release(bandIn, bandOut);
        return y;
    }

    /** Input depth and map size from which a 3x3 stride-1 pad-1 convolution takes {@link Winograd}. */
    static final int WINOGRAD_MIN_IN = 320;
    static final int WINOGRAD_MIN_POSITIONS = 32 * 32;
    /** ... or, on maps from 16x16, from this input depth. */
    static final int WINOGRAD_SMALL_MAP_MIN_IN = 640;
    static final int WINOGRAD_SMALL_MAP_MIN_POSITIONS = 16 * 16;
    /** ... or, on maps of at least {@link #BANDED_MIN_POSITIONS}, from this input depth. */
    static final int WINOGRAD_LARGE_MAP_MIN_IN = 128;
    /** {@code -Dmeg.winograd=false} keeps every convolution on the direct paths (for A/B measurements). */
    static volatile boolean winograd = !"false".equals(System.getProperty("meg.winograd"));

    /**
     * Whether {@link #forward} takes Winograd F(4x4, 3x3): 3x3, stride 1, padding 1, the JDK's Vector
     * API present (the transforms and gemms run in vector lanes; see {@link FusedKernels}), and at
     * least {@link #WINOGRAD_MIN_IN} input channels on a map of at least 32x32, or
     * {@link #WINOGRAD_SMALL_MAP_MIN_IN} on at least 16x16 (the U-Net's 16x16 level), or
     * {@link #WINOGRAD_LARGE_MAP_MIN_IN} on at least 128x128 (the VAE's). Measured (2 threads, best
     * of 5-7 after 3 warm-ups, benchmarks/README.md), Winograd vs the direct path: in the U-Net
     * (batch 2) 320 -> 320 at 64x64: 27-33 vs 43 ms (oneDNN); 320 -> 640 at 32x32: 17 vs 23 ms;
     * 1280 -> 1280 at 16x16: 31-34 vs 48 ms (im2col + gemm); 640 -> 1280 at 16x16: 17-19 vs 24 ms
     * (oneDNN); in the VAE (batch 1) 512 -> 512 at 64x64: 32 vs 58 ms; 512 -> 512 at 256x256: 356 vs
     * 1543 ms. Below: at 8x8 (1280 -> 1280: 29-35 vs 16 ms; 2560 -> 1280: 68-72 vs 29 ms) and
     * 320 channels at 16x16 (320 -> 640: 10 vs 7 ms), where U (4x the weights) and the transforms
     * cost more than the 4x fewer multiplies save.
     */
    boolean preferWinograd(INDArray x) {
        return x.rank() == 4 && preferWinograd(x.size(1), x.size(2), x.size(3));
    }

    /** {@link #preferWinograd(INDArray)} for an input of {@code in} channels of h x w. */
    private boolean preferWinograd(long in, long h, long w) {
        if (!winograd || !FusedKernels.vectorApi() || weight.size(2) != 3 || weight.size(3) != 3 || stride != 1 || padding != 1) {
            return false;
        }
        long positions = h * w;
        return in >= WINOGRAD_MIN_IN && positions >= WINOGRAD_MIN_POSITIONS
                || in >= WINOGRAD_SMALL_MAP_MIN_IN && positions >= WINOGRAD_SMALL_MAP_MIN_POSITIONS
                || in >= WINOGRAD_LARGE_MAP_MIN_IN && positions >= BANDED_MIN_POSITIONS;
    }

    /**
     * Drops this thread's scratch of the Winograd path, which its calls keep between calls (for
     * SD 1.5 ~0.1 GB of Java heap, U, V and M, and a native workspace); the next call re-creates it.
     */
    public static void releaseScratch() {
        Winograd.releaseScratch();
    }

    /**
     * {@code forward(nearest 2x upsampling of x)}, {@code [N, in, h, w] -> [N, out, 2h, 2w]}: on the
     * Winograd path without the upsampled map (its input transform repeats x's values as it reads
     * them; a 512x512 VAE decode's last upsampling is 256 MB less), elsewhere upsampled first and
     * freed after. The same bits either way as upsampling with ND4J's {@code upsampling2d} and then
     * {@link #forward}.
     */
    public INDArray forwardUpsampled(INDArray x) {
        requireDepth(x);
        if (preferWinograd(x.size(1), 2 * x.size(2), 2 * x.size(3))) {
            return Winograd.conv3x3Upsampled(x, weight, biasValues);
        }
        INDArray up = Nd4j.cnn().upsampling2d(x, 2, 2, true);
        INDArray y = forward(up);
        Tensors.release(up);
        return y;
    }

    /** The Winograd path, whatever the shape (3x3, stride 1, padding 1 only); package-private for tests. */
    INDArray winogradForward(INDArray x) {
        if (weight.size(2) != 3 || weight.size(3) != 3 || stride != 1 || padding != 1) {
            throw new IllegalStateException("Winograd F(4x4, 3x3) needs a 3x3 kernel, stride 1 and padding 1");
        }
        requireDepth(x);
        return Winograd.conv3x3(x, weight, biasValues);                          // densifies x itself
    }

    private void requireDepth(INDArray x) {
        if (x.rank() != 4 || x.size(1) != weight.size(1)) {
            throw new IllegalArgumentException("conv over " + weight.size(1) + " channels got " + Arrays.toString(x.shape()));
        }
    }

    /** A 1x1 kernel without stride or padding: a plain matrix product per sample. */
    private boolean pointwise() {
        return weight.size(2) == 1 && weight.size(3) == 1 && stride == 1 && padding == 0;
    }

    /**
     * The path {@link #forward} takes: gemm for 1x1 kernels and for wide inputs ({@code in k k >=}
     * {@link #GEMM_MIN_DEPTH}), where ND4J's oneDNN call measured 1.5-10x slower than im2col + gemm
     * (1280 channels: 113 vs 29 ms at 8x8, 145 vs 93 ms at 16x16, batch 2) while at 320-640
     * channels it was 1.2-5x faster.
     */
    boolean preferGemm(INDArray x) {
        return pointwise() || weight.size(1) * weight.size(2) * weight.size(3) >= GEMM_MIN_DEPTH;
    }

    /**
     * im2col + gemm. 1x1: {@code Y_n = W X_n} per sample, no columns. Small maps (under
     * {@link #BATCHED_MAX_POSITIONS} outputs per sample): one gemm over the batch,
     * {@code [out, K] x [K, N H' W']}, then permuted to [N, out, H', W']; larger maps: one gemm per
     * sample straight into its slice of the result.
     */
    INDArray gemmForward(INDArray x) {
        int n = (int) x.size(0);
        int in = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int kh = (int) weight.size(2);
        int kw = (int) weight.size(3);
        int outH = (h + 2 * padding - kh) / stride + 1;
        int outW = (w + 2 * padding - kw) / stride + 1;
        if (in * kh * kw != weight2d.size(1)) {
            throw new IllegalArgumentException("conv over " + weight.size(1) + " channels got " + Arrays.toString(x.shape()));
        }
        INDArray src = x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
        long positions = (long) outH * outW;
        long depth = (long) in * kh * kw;
        INDArray y;
        if (pointwise()) {
            y = Nd4j.createUninitialized(DataType.FLOAT, n, outChannels, outH, outW);
            for (int s = 0; s < n; s++) {
                Nd4j.gemm(weight2d, src.slice(s).reshape('c', in, positions), y.slice(s).reshape('c', outChannels, positions),
                        false, false, 1.0, 0.0);
            }
        } else if (positions < BATCHED_MAX_POSITIONS) {
            INDArray cols = Nd4j.createUninitialized(DataType.FLOAT, depth, n * positions);            // [K, N H' W']
            Im2col.fill(src, 0, n, in, h, w, kh, kw, stride, padding, outH, outW, cols);
            INDArray flat = Nd4j.createUninitialized(DataType.FLOAT, outChannels, n * positions);     // [out, N H' W']
            Nd4j.gemm(weight2d, cols, flat, false, false, 1.0, 0.0);
            y = (n == 1 ? flat : flat.reshape('c', outChannels, n, positions).permute(1, 0, 2).dup('c'))
                    .reshape('c', n, outChannels, outH, outW);
        } else {
            y = Nd4j.createUninitialized(DataType.FLOAT, n, outChannels, outH, outW);
            INDArray cols = Nd4j.createUninitialized(DataType.FLOAT, depth, positions);               // [K, H' W']
            for (int s = 0; s < n; s++) {
                Im2col.fill(src, s, 1, in, h, w, kh, kw, stride, padding, outH, outW, cols);
                Nd4j.gemm(weight2d, cols, y.slice(s).reshape('c', outChannels, positions), false, false, 1.0, 0.0);
            }
        }
        if (bias != null) {
            y.addi(bias.reshape(1, outChannels, 1, 1));
        }
        return y;
    }

    /**
     * This 1x1 convolution with its output as tokens: {@code x [N, in, h, w] -> [N, h w, out]},
     * {@code tokens_n = x_n^T W^T + bias} (x_n as [in, h w]), one gemm per sample on the transposed
     * operands, so the [N, out, h w] -> [N, h w, out] permuted copy that {@link #forward} would need
     * is never made (that copy measured ~7 ms at 320 x 64 x 64, batch 2, as long as the gemm).
     */
    public INDArray pointwiseToTokens(INDArray x) {
        requirePointwise(x, weight2d.size(1));
        INDArray src = FusedKernels.dense(x);
        long positions = x.size(2) * x.size(3);
        INDArray tokens = Nd4j.createUninitialized(DataType.FLOAT, x.size(0), positions, outChannels);
        for (int s = 0; s < x.size(0); s++) {
            Nd4j.gemm(src.slice(s).reshape('c', weight2d.size(1), positions), weight2d, tokens.slice(s), true, true, 1.0, 0.0);
        }
        if (bias != null) {
            tokens.reshape('c', x.size(0) * positions, outChannels).addiRowVector(bias.reshape(1, outChannels));
        }
        return tokens;
    }

    /**
     * This 1x1 convolution on tokens back to a map, plus a residual: {@code tokens [N, h w, in] ->}
     * {@code y [N, out, h, w]}, {@code y_n = W tokens_n^T + bias + residual_n}: one gemm per sample on
     * the transposed tokens, accumulating into {@code residual + bias} (a new array), so neither the
     * tokens' permuted copy nor the output's two adds of {@link #forward} are made.
     */
    public INDArray pointwiseFromTokens(INDArray tokens, long h, long w, INDArray residual) {
        long n = tokens.size(0);
        long positions = h * w;
        if (tokens.rank() != 3 || tokens.size(1) != positions || tokens.size(2) != weight2d.size(1)) {
            throw new IllegalArgumentException("1x1 conv from " + weight2d.size(1) + "-wide tokens of a " + h + "x" + w
                    + " map got " + Arrays.toString(tokens.shape()));
        }
        requirePointwise(residual, outChannels);
        if (!Arrays.equals(residual.shape(), new long[] {n, outChannels, h, w})) {
            throw new IllegalArgumentException("residual of [" + n + ", " + outChannels + ", " + h + ", " + w + "] expected, got "
                    + Arrays.toString(residual.shape()));
        }
        INDArray src = FusedKernels.dense(tokens);
        INDArray r = FusedKernels.dense(residual);                    // so that y below is dense and its slices are views
        INDArray y = bias == null ? r.dup('c') : r.add(bias.reshape(1, outChannels, 1, 1));
        for (int s = 0; s < n; s++) {
            Nd4j.gemm(weight2d, src.slice(s), y.slice(s).reshape('c', outChannels, positions), false, true, 1.0, 1.0);
        }
        return y;
    }

    /** A 1x1 kernel, stride 1, no padding, and x a map of {@code channels} channels. */
    private void requirePointwise(INDArray x, long channels) {
        if (!pointwise()) {
            throw new IllegalStateException("the tokens paths need a 1x1 kernel, stride 1 and no padding");
        }
        if (x.rank() != 4 || x.size(1) != channels) {
            throw new IllegalArgumentException("1x1 conv: a map of " + channels + " channels expected, got " + Arrays.toString(x.shape()));
        }
    }

    /** ND4J's conv2d (oneDNN), whatever the shape; package-private so tests compare the two paths. */
    INDArray oneDnnForward(INDArray x) {
        return bias == null ? Nd4j.cnn().conv2d(x, weight, config) : Nd4j.cnn().conv2d(x, weight, bias, config);
    }

    /** The same convolution as an ONNX {@code Conv} node on {@code x}; returns its output. */
    public String onnx(OnnxGraph g, String x) {
        List<Attr> attrs = List.of(Attr.ints("kernel_shape", weight.size(2), weight.size(3)),
                Attr.ints("strides", stride, stride), Attr.ints("pads", padding, padding, padding, padding));
        String w = g.weight("conv_weight", weight);
        return bias == null ? g.op("Conv", attrs, x, w) : g.op("Conv", attrs, x, w, g.weight("conv_bias", bias));
    }
}
