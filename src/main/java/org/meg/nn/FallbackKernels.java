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

    /** The block's mean, then its sum of squared deviations from that mean (two looks, in double), merged. */
    @Override
    void addMoments(float[] v, int from, int n, double[] moments) {
        if (n == 0) {
            return;
        }
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += v[i];
        }
        double mean = sum / n;
        double dev = 0;
        double m2 = 0;
        for (int i = from; i < from + n; i++) {
            double d = v[i] - mean;
            dev += d;
            m2 += d * d;
        }
        mergeMoments(moments, n, mean + dev / n, m2 - dev * dev / n);
    }

    @Override
    void affine(float[] v, int from, int n, float scale, float shift, boolean silu) {
        for (int i = from; i < from + n; i++) {
            float z = Math.fma(v[i], scale, shift);
            v[i] = silu ? z / (1f + (float) Math.exp(-z)) : z;
        }
    }
}
