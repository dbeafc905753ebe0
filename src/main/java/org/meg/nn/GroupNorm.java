package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** GroupNorm over [N, C, ...]: statistics per (sample, group), then a per-channel affine. */
public final class GroupNorm {
    private final int groups;
    private final double eps;
    private final INDArray gamma;
    private final INDArray beta;
    private final int channels;
    private final float[] gammaValues;
    private final float[] betaValues;
    private static final ThreadBuffers BUFFER = new ThreadBuffers(1);

    private GroupNorm(int groups, double eps, INDArray gamma, INDArray beta) {
        this.groups = groups;
        this.eps = eps;
        this.channels = (int) gamma.length();
        this.gammaValues = gamma.dup().data().asFloat();
        this.betaValues = beta.dup().data().asFloat();
        this.gamma = gamma;                                           // [C], for the ONNX export
        this.beta = beta;
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        }
    }

    /** Loads {@code weight} and {@code bias} [channels]. */
    public static GroupNorm load(Weights w, int groups, int channels, double eps) {
        return new GroupNorm(groups, eps, w.take("weight", channels), w.take("bias", channels));
    }

    /**
     * {@code x -> (x - mean) / sqrt(var + eps) * gamma + beta}, same shape; statistics in double,
     * the variance biased (divided by the group size) as PyTorch's.
     *
     * <p>A fused kernel on the arrays' memory: per (sample, group), the group's contiguous
     * {@code C/G * HW} values stream through a heap buffer in chunks that stay in L1
     * ({@link #normalizeGroup}): one read and one write of the array, as a copy. Runs of groups run
     * in parallel on the common fork-join pool. ND4J's
     * composed form (mean, subtract, square, mean, pow, multiply, add: seven passes and four
     * temporaries) measured ~5x slower than PyTorch's fused kernel.
     */
    public INDArray forward(INDArray x) {
        return forward(x, false);
    }

    /**
     * {@code silu(forward(x))}, the SiLU ({@code z / (1 + e^-z)}) applied in the same pass over each
     * group: the norm-then-SiLU of every ResNet block without a second pass or a second array.
     */
    public INDArray forwardSilu(INDArray x) {
        return fusedSilu ? forward(x, true) : Activations.silu(forward(x, false));
    }

    /**
     * {@link #forwardSilu} written over x where x is a dense float array (each group is read whole
     * before any of it is written), else into a new array: for a caller whose last use of x this
     * is. Returns the result, x itself when written in place; the same bits either way. A 512x512
     * VAE decode saves a 128-256 MB array (and its first-touch page faults) per norm.
     */
    public INDArray forwardSiluInPlace(INDArray x) {
        boolean inPlace = fusedSilu && FusedKernels.dense(x) == x;
        return inPlace ? forward(x, x, true) : forwardSilu(x);
    }

    /**
     * Whether {@link #forwardSilu} runs the SiLU inside the norm's pass ({@code -Dmeg.fusedSilu=false}
     * composes the norm and ND4J's sigmoid-multiply instead); mutable for benchmarks' A/B runs.
     */
    static volatile boolean fusedSilu = !"false".equals(System.getProperty("meg.fusedSilu"));

    private INDArray forward(INDArray x, boolean silu) {
        return forward(x, null, silu);
    }

    /** The norm of x into {@code into}: x itself (dense), or null for a new array. */
    private INDArray forward(INDArray x, INDArray into, boolean silu) {
        long[] shape = x.shape();
        if (x.rank() < 2 || shape[1] != channels) {
            throw new IllegalArgumentException("GroupNorm over " + channels + " channels got " + Arrays.toString(shape));
        }
        INDArray src = FusedKernels.dense(x);
        INDArray dst = into != null ? into : Nd4j.createUninitialized(DataType.FLOAT, shape);
        int perChannel = (int) (x.length() / (shape[0] * channels));  // H*W (1 for [N, C])
        int perGroup = channels / groups * perChannel;
        FloatBuffer in = src.data().asNioFloat();
        FloatBuffer out = dst.data().asNioFloat();
        long inBase = src.offset();
        long outBase = dst.offset();
        FusedKernels kernels = FusedKernels.get();
        int perGroupChannels = channels / groups;
        int total = (int) shape[0] * groups;
        int perTask = Math.max(1, Math.min(total, TASK_VALUES / Math.max(1, perGroup)));   // runs of groups: fork-join's per-task cost
        IntStream.range(0, (total + perTask - 1) / perTask).parallel().forEach(task -> {
            float[] v = BUFFER.get(0, perGroup);
            for (int g = task * perTask, end = Math.min(total, g + perTask); g < end; g++) {
                long start = (long) g * perGroup;
                normalizeGroup(kernels, in, (int) (inBase + start), out, (int) (outBase + start), v,
                        perGroup, perChannel, gammaValues, betaValues, g % groups * perGroupChannels, eps, silu);
            }
        });
        return dst;
    }

    /** About this many values per parallel task at least (whole groups): 10 tasks at [2, 1280, 16, 16], one group each from 64x64. */
    private static final int TASK_VALUES = 1 << 16;

    /** Values per chunk of the group's stream (16 KB: in L1 while it is looked at, twice for the statistics). */
    static final int CHUNK = 4096;

    /**
     * One group, {@code n} values of {@code in} from {@code inAt}, normalised into {@code out} from
     * {@code outAt}, through the heap buffer {@code v} (at least n long; it holds the group, which
     * fits in L2): each chunk of {@link #CHUNK} values is copied in and its statistics merged while it
     * is in L1; then, chunk by chunk again, the per-channel affine ({@code gamma / std} and
     * {@code beta - mean gamma / std} folded into one scale and shift) and the SiLU run and the chunk
     * is copied out. Element i belongs to channel {@code firstChannel + i / perChannel}; the variance
     * is biased (divided by n) as PyTorch's.
     */
    static void normalizeGroup(FusedKernels kernels, FloatBuffer in, int inAt, FloatBuffer out, int outAt, float[] v,
            int n, int perChannel, float[] gamma, float[] beta, int firstChannel, double eps, boolean silu) {
        double[] moments = new double[3];
        for (int i = 0; i < n; i += CHUNK) {
            int len = Math.min(CHUNK, n - i);
            in.get(inAt + i, v, i, len);
            kernels.addMoments(v, i, len, moments);
        }
        double mean = moments[1];
        double rstd = 1.0 / Math.sqrt(Math.max(0.0, moments[2] / n) + eps);
        for (int i = 0; i < n; i += CHUNK) {
            int end = Math.min(n, i + CHUNK);
            for (int j = i; j < end; ) {
                int c = j / perChannel;
                int segmentEnd = Math.min(end, (c + 1) * perChannel);
                float scale = (float) (rstd * gamma[firstChannel + c]);
                float shift = (float) (beta[firstChannel + c] - mean * scale);
                kernels.affine(v, j, segmentEnd - j, scale, shift, silu);
                j = segmentEnd;
            }
            out.put(outAt + i, v, i, end - i);
        }
    }

    /** gamma, for tests in this package. */
    float[] gammaForTest() {
        return gammaValues.clone();
    }

    /** beta, for tests in this package. */
    float[] betaForTest() {
        return betaValues.clone();
    }

    /**
     * The same norm on a rank-4 {@code x} [N, C, H, W] in ONNX opset 17, which has no GroupNorm:
     * {@code Reshape [N, G, -1] -> InstanceNormalization (scale 1, bias 0) -> Reshape back -> * gamma + beta}.
     */
    public String onnx(OnnxGraph g, String x) {
        String grouped = g.op("Reshape", x, g.ints(0, groups, -1));                    // [N, G, C/G * H W]
        String normed = g.op("InstanceNormalization", List.of(Attr.f("epsilon", (float) eps)), grouped,
                g.weight("gn_ones", Nd4j.ones(DataType.FLOAT, groups)), g.weight("gn_zeros", Nd4j.zeros(DataType.FLOAT, groups)));
        String back = g.op("Reshape", normed, g.op("Shape", x));                       // [N, C, H, W]
        String scaled = g.op("Mul", back, g.weight("gn_gamma", gamma, channels, 1, 1));
        return g.op("Add", scaled, g.weight("gn_beta", beta, channels, 1, 1));
    }
}
