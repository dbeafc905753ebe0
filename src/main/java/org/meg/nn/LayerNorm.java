package org.meg.nn;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import org.nd4j.linalg.api.ndarray.INDArray;

/** LayerNorm over the last axis with affine {@code weight}, {@code bias}. */
public final class LayerNorm {
    private final double eps;
    private final INDArray gamma;
    private final INDArray beta;
    private final int dim;
    private final float[] gammaValues;
    private final float[] betaValues;

    private LayerNorm(double eps, INDArray gamma, INDArray beta) {
        this.eps = eps;
        this.dim = (int) gamma.length();
        this.gamma = gamma.reshape(1, dim);
        this.beta = beta.reshape(1, dim);
        this.gammaValues = gamma.dup().data().asFloat();
        this.betaValues = beta.dup().data().asFloat();
    }

    /** Loads {@code weight} and {@code bias} [dim]. */
    public static LayerNorm load(Weights w, int dim, double eps) {
        return new LayerNorm(eps, w.take("weight", dim), w.take("bias", dim));
    }

    /** {@code [..., dim] -> [..., dim]}, a new array; one fused pass per row ({@link FusedKernels#layerNormRows}). */
    public INDArray forward(INDArray x) {
        long[] shape = x.shape();
        if (shape.length == 0 || shape[shape.length - 1] != dim) {
            throw new IllegalArgumentException("LayerNorm over " + dim + " features got " + java.util.Arrays.toString(shape));
        }
        INDArray rows = FusedKernels.dense(x).reshape('c', -1, dim);
        return FusedKernels.get().layerNormRows(rows, gammaValues, betaValues, eps).reshape('c', shape);
    }

    /** The same norm as ONNX {@code LayerNormalization} over the last axis. */
    public String onnx(OnnxGraph g, String x) {
        return g.op("LayerNormalization", List.of(Attr.i("axis", -1), Attr.f("epsilon", (float) eps)), x,
                g.weight("ln_gamma", gamma, dim), g.weight("ln_beta", beta, dim));
    }
}
