package org.meg.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Fused elementwise kernels that ND4J runs as several passes (or slowly): row softmax, the GEGLU
 * gate, LayerNorm rows and a GroupNorm group. Two implementations with the same contract: {@code VectorKernels} on
 * the JDK's Vector API ({@code jdk.incubator.vector}, used when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, as {@code bin/meg} and the tests do), and
 * {@code FallbackKernels}, ND4J's ops and scalar Java, for a JVM without the module.
 *
 * <p>Measured here (2 vCPUs, AVX-512): a softmax over a [4096, 4096] score matrix takes ~8 ms with
 * the Vector API (SVML's exp, 16 lanes) against ~37 ms with ND4J's {@code SoftMax}; the 512x512
 * U-Net step runs 80 such rows blocks per self-attention layer.
 *
 * <p>The two implementations agree to float rounding, not bit for bit: a result is reproducible
 * for a given JVM configuration (determinism is per backend). {@code -Dmeg.vector=false} forces
 * the ND4J kernels.
 */
public abstract class FusedKernels {
    private static final FusedKernels INSTANCE = choose();

    /** The kernels this JVM runs. */
    public static FusedKernels get() {
        return INSTANCE;
    }

    /** The fallback kernels, whatever the JVM has: the reference the vector kernels are tested against. */
    public static FusedKernels fallback() {
        return FallbackKernels.INSTANCE;
    }

    /** Whether {@link #get} runs on the Vector API (the JVM resolved {@code jdk.incubator.vector} and {@code meg.vector} is not false). */
    public static boolean vectorApi() {
        return !(INSTANCE instanceof FallbackKernels);
    }

    /** A short name: {@code "vector-api (16 float lanes)"} or {@code "nd4j"}. */
    public abstract String name();

    /**
     * Softmax along the last axis in place: {@code x[r, j] = exp(x[r, j] - max_j x[r, .]) / sum}.
     *
     * @param x a rank-2 float array in 'c' order with unit column stride (a whole array or a row block)
     */
    public abstract void softmaxRows(INDArray x);

    /**
     * The GEGLU gate: {@code value * gelu(gate)} with exact (erf) GELU, where each row of
     * {@code projected} [rows, 2 inner] is {@code [value | gate]} (diffusers' {@code GEGLU.proj}).
     *
     * @return a new [rows, inner] array
     */
    public final INDArray geglu(INDArray projected) {
        return geglu(projected, null);
    }

    /**
     * The GEGLU gate of {@code projected + bias} (bias [2 inner], added to every row; null for none):
     * the projection's bias added in the gate's own pass instead of one of its own over the
     * [rows, 2 inner] product (the U-Net's widest array: 2560 columns at its first level).
     *
     * @return a new [rows, inner] array; projected is not modified
     */
    public abstract INDArray geglu(INDArray projected, float[] bias);

    /**
     * LayerNorm of each row: {@code y[r, j] = (x[r, j] - mean_r) / sqrt(var_r + eps) * gamma[j] + beta[j]},
     * the variance biased as PyTorch's.
     *
     * @param x a rank-2 float array in 'c' order with unit column stride, rows of {@code gamma.length}
     * @return a new array of x's shape
     */
    public abstract INDArray layerNormRows(INDArray x, float[] gamma, float[] beta, double eps);

    /**
     * Multi-head attention {@code softmax(Q K^T / sqrt(d)) V} on projected q [B, T, C], k and v
     * [B, S, C], {@code d = C / heads}, as {@link Attention#attend} specifies it. The Vector API
     * kernels fuse it per block of queries ({@code VectorAttention}) for head dims up to
     * {@link #FUSED_HEAD_DIM_MAX}; wider heads, and the fallback, run {@link Attention#unfused}.
     *
     * @return a new [B, T, C] array
     */
    public abstract INDArray attend(INDArray q, INDArray k, INDArray v, int heads, boolean causal);

    /**
     * The widest head the fused attention takes: measured faster than the gemm pair at SD 1.5's
     * head dims 40, 80 and 160 (4096 tokens, d 40: 180 vs 296 ms) and CLIP's 64, slower at the VAE's
     * single 512-wide head (4096 tokens: 166 vs 110 ms), where ND4J's blocked gemm wins.
     */
    static final int FUSED_HEAD_DIM_MAX = 160;

    /**
     * Merges the statistics of {@code v[from, from + n)} into {@code moments = {count, mean, M2}}
     * (M2 the sum of squared deviations from the mean, in double): one look at values that are in
     * L1, for a GroupNorm group streamed through in chunks. Robust to a mean far from zero (no
     * {@code E[x^2] - E[x]^2} about zero).
     */
    abstract void addMoments(float[] v, int from, int n, double[] moments);

    /**
     * {@code v[i] = v[i] * scale + shift} on {@code v[from, from + n)}, one rounding (fma); with
     * {@code silu}, each result z then becomes {@code silu(z) = z / (1 + e^-z)} in the same pass.
     */
    abstract void affine(float[] v, int from, int n, float scale, float shift, boolean silu);

    /**
     * Chan, Golub and LeVeque's pairwise update (1983, eq. 2.1b): {@code moments} += a block of
     * {@code count} values with mean {@code mean} and sum of squared deviations {@code m2},
     * {@code M2 = M2_a + M2_b + delta^2 n_a n_b / (n_a + n_b)}.
     */
    static void mergeMoments(double[] moments, double count, double mean, double m2) {
        double total = moments[0] + count;
        double delta = mean - moments[1];
        moments[2] += m2 + delta * delta * moments[0] * count / total;
        moments[1] += delta * count / total;
        moments[0] = total;
    }

    private static FusedKernels choose() {
        boolean wanted = !"false".equals(System.getProperty("meg.vector"));
        if (wanted && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (FusedKernels) Class.forName("org.meg.nn.VectorKernels").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return FallbackKernels.INSTANCE;
            }
        }
        return FallbackKernels.INSTANCE;
    }

    /** Throws unless {@code x} is a float matrix whose rows are contiguous. */
    static void requireRowMajor(INDArray x, String what) {
        if (x.rank() != 2 || x.dataType() != DataType.FLOAT || x.ordering() != 'c' || x.stride(1) != 1) {
            throw new IllegalArgumentException(what + " needs a rank-2 'c'-order float array with unit column stride, got "
                    + x.dataType() + " " + x.ordering() + " " + java.util.Arrays.toString(x.shape())
                    + " strides " + java.util.Arrays.toString(x.stride()));
        }
    }

    /** A GEGLU bias, when there is one, has one value per column of {@code projected}, an even number of them. */
    static void requireGateBias(INDArray projected, float[] bias) {
        if (projected.size(1) % 2 != 0) {
            throw new IllegalArgumentException("geglu needs [value | gate] rows of an even width, got " + projected.size(1));
        }
        if (bias != null && bias.length != projected.size(1)) {
            throw new IllegalArgumentException("geglu bias of " + bias.length + " values for rows of " + projected.size(1));
        }
    }

    /** {@code x} itself when it is a dense 'c'-order float array, else a dense copy. */
    static INDArray dense(INDArray x) {
        return x.dataType() == DataType.FLOAT && x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) ? x : x.castTo(DataType.FLOAT).dup('c');
    }
}
