package org.meg.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@link FusedKernels} as ND4J ops and scalar Java: the fallback for a JVM without the Vector API module. */
final class FallbackKernels extends FusedKernels {
    static final FallbackKernels INSTANCE = new FallbackKernels();

    private FallbackKernels() {
    }

    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public void softmaxRows(INDArray x) {
        requireRowMajor(x, "softmaxRows");
        Nd4j.exec(new SoftMax(x, x, 1));
    }

    @Override
    public INDArray attend(INDArray q, INDArray k, INDArray v, int heads, boolean causal) {
        return Attention.unfused(q, k, v, heads, causal);
    }

    @Override
    public INDArray geglu(INDArray projected, float[] bias) {
        requireRowMajor(projected, "geglu");
        requireGateBias(projected, bias);
        long inner = projected.size(1) / 2;
        if (bias != null) {
            projected = projected.addRowVector(Nd4j.createFromArray(bias).reshape(1, bias.length));
        }
        INDArray value = projected.get(NDArrayIndex.all(), NDArrayIndex.interval(0, inner));
        INDArray gate = projected.get(NDArrayIndex.all(), NDArrayIndex.interval(inner, 2 * inner));
        return Activations.gelu(gate).muli(value);
    }

    /** ND4J ops: mean, subtract, square, mean, rsqrt, scale, affine (the form before the fused kernels). */
    @Override
    public INDArray layerNormRows(INDArray x, float[] gamma, float[] beta, double eps) {
        requireRowMajor(x, "layerNormRows");
        INDArray v = x.dup('c');
        INDArray mean = v.mean(true, 1);
        v.subi(mean);
        INDArray var = v.mul(v).mean(true, 1);
        v.muli(Transforms.pow(var.addi(eps), -0.5, false));
        v.muli(Nd4j.createFromArray(gamma).reshape(1, gamma.length)).addi(Nd4j.createFromArray(beta).reshape(1, beta.length));
        return v;
    }

    /**
     * Statistics in one pass, in double, about a shift {@code k = v[0]} (the variance is
     * {@code E[(x-k)^2] - E[x-k]^2}, which stays exact to ~1e-16 relative unless the mean is ~1e8
     * standard deviations from {@code k}), over four independent accumulator pairs: a single
     * running sum is one 4-cycle add per element, latency-bound; four chains run ~4x faster.
     */
    @Override
    void normalizeGroup(float[] v, int n, int perChannel, float[] gamma, float[] beta, int firstChannel, double eps, boolean silu) {
        float k = v[0];
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            double a = v[i] - k;
            double b = v[i + 1] - k;
            double c = v[i + 2] - k;
            double d = v[i + 3] - k;
            s0 += a;
            s1 += b;
            s2 += c;
            s3 += d;
            q0 += a * a;
            q1 += b * b;
            q2 += c * c;
            q3 += d * d;
        }
        for (; i < n; i++) {
            double a = v[i] - k;
            s0 += a;
            q0 += a * a;
        }
        double shiftedMean = (s0 + s1 + s2 + s3) / n;
        double var = Math.max(0.0, (q0 + q1 + q2 + q3) / n - shiftedMean * shiftedMean);
        float mean = (float) (k + shiftedMean);
        double rstd = 1.0 / Math.sqrt(var + eps);
        for (int c = 0, j = 0; c < n / perChannel; c++) {
            float scale = (float) (rstd * gamma[firstChannel + c]);
            float shift = beta[firstChannel + c] - mean * scale;
            for (int end = j + perChannel; j < end; j++) {
                float z = v[j] * scale + shift;
                v[j] = silu ? z / (1f + (float) Math.exp(-z)) : z;
            }
        }
    }
}
