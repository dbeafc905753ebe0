package org.meg.unet;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import org.meg.nn.Activations;
import org.meg.nn.FusedKernels;
import org.meg.nn.Linear;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GEGLU feed-forward: {@code net.2(value * gelu(gate))} with {@code [value | gate] = net.0.proj(x)}
 * and exact (erf) GELU (Shazeer 2020, "GLU Variants Improve Transformer", eq. 5).
 */
public final class FeedForward {
    private final Linear proj;                                        // net.0.proj: dim -> 2 * inner
    // net.1 is Dropout
    private final Linear out;                                         // net.2: inner -> dim
    private final int inner;
    private final float[] projBias;                                   // net.0.proj's bias, added in the gate's pass

    private FeedForward(Linear proj, Linear out, int inner) {
        this.proj = proj;
        this.out = out;
        this.inner = inner;
        this.projBias = proj.biasValues();
    }

    /** Loads a GEGLU block with hidden width {@code 4 * dim}. */
    public static FeedForward load(Weights w, int dim) {
        int inner = 4 * dim;
        return new FeedForward(Linear.load(w.child("net", 0, "proj"), dim, 2 * inner, true),
                Linear.load(w.child("net", 2), inner, dim, true), inner);
    }

    /** {@code [B, T, dim] -> [B, T, dim]}. */
    public INDArray forward(INDArray x) {
        return out.forward(gated(x)).reshape('c', x.shape());
    }

    /** {@code residual + forward(x)}, the residual added in the output linear's gemm ({@link Linear#forwardAdding}). */
    public INDArray forwardAdding(INDArray x, INDArray residual) {
        return out.forwardAdding(gated(x), residual.reshape('c', -1, residual.size(-1))).reshape('c', residual.shape());
    }

    /** {@code value * gelu(gate)} of {@code net.0.proj(x)}, [B*T, inner]; the projection's bias added in the gate's pass. */
    private INDArray gated(INDArray x) {
        INDArray p = proj.product(x).reshape('c', -1, 2L * inner);    // [B*T, 2 * inner], no bias yet
        return FusedKernels.get().geglu(p, projBias);
    }

    /** The same block in ONNX: {@code Split} of the projection into value and gate on the last axis. */
    public String onnx(OnnxGraph g, String x) {
        String[] vg = g.opN("Split", 2, List.of(Attr.i("axis", -1)), proj.onnx(g, x), g.ints(inner, inner));
        return out.onnx(g, g.op("Mul", Activations.gelu(g, vg[1]), vg[0]));
    }
}
