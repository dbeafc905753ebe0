package org.meg.nn;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
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

    /** The same norm as ONNX {@code LayerNormalization} over the last axis. */
    public String onnx(OnnxGraph g, String x) {
        return g.op("LayerNormalization", List.of(Attr.i("axis", -1), Attr.f("epsilon", (float) eps)), x,
                g.weight("ln_gamma", gamma, dim), g.weight("ln_beta", beta, dim));
    }
}
