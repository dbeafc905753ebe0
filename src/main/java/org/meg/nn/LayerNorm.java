package org.meg.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** LayerNorm over the last axis with affine {@code weight}, {@code bias}. */
public final class LayerNorm {
    private final double eps;
    private final INDArray gamma;
    private final INDArray beta;
    private final int dim;

    private LayerNorm(double eps, INDArray gamma, INDArray beta) {
        this.eps = eps;
        this.dim = (int) gamma.length();
        this.gamma = gamma.reshape(1, dim);
        this.beta = beta.reshape(1, dim);
    }

    /** Loads {@code weight} and {@code bias} [dim]. */
    public static LayerNorm load(Weights w, int dim, double eps) {
        return new LayerNorm(eps, w.take("weight", dim), w.take("bias", dim));
    }

    /** {@code [..., dim] -> [..., dim]}. */
    public INDArray forward(INDArray x) {
        long[] shape = x.shape();
        INDArray v = x.dup('c').reshape('c', -1, dim);
        INDArray mean = v.mean(true, 1);
        v.subi(mean);
        INDArray var = v.mul(v).mean(true, 1);
        v.muli(Transforms.pow(var.addi(eps), -0.5, false));
        v.muli(gamma).addi(beta);
        return v.reshape('c', shape);
    }
}
