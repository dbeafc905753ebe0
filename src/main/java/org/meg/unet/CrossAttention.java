package org.meg.unet;

import org.meg.onnx.OnnxGraph;
import org.meg.nn.Attention;
import org.meg.nn.Linear;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head attention of U-Net tokens on the text context ({@code attn2}):
 * {@code to_out(softmax(q k^T / sqrt(d)) v)}, q/k/v without bias (CompVis {@code CrossAttention});
 * the tokens on themselves ({@code attn1}) are {@link SelfAttention}, whose q, k and v are one gemm.
 */
public final class CrossAttention {
    private final Linear toQ;                                         // to_q (no bias)
    private final Linear toK;                                         // to_k (no bias)
    private final Linear toV;                                         // to_v (no bias)
    private final Linear toOut;                                       // to_out.0; to_out.1 is Dropout
    private final int heads;
    private final int dim;

    private CrossAttention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
        this.dim = toQ.outFeatures();
    }

    /** Loads attention over {@code dim}-wide queries and {@code contextDim}-wide keys/values. */
    public static CrossAttention load(Weights w, int dim, int contextDim, int heads) {
        return new CrossAttention(
                Linear.load(w.child("to_q"), dim, dim, false),
                Linear.load(w.child("to_k"), contextDim, dim, false),
                Linear.load(w.child("to_v"), contextDim, dim, false),
                Linear.load(w.child("to_out", 0), dim, dim, true),
                heads);
    }

    /** {@code x [B, T, dim], context [B, S, contextDim] -> [B, T, dim]}. */
    public INDArray forward(INDArray x, INDArray context) {
        return toOut.forward(heads(x, context));
    }

    /** {@code residual + forward(x, context)}, the residual added in the output projection's gemm ({@link Linear#forwardAdding}). */
    public INDArray forwardAdding(INDArray x, INDArray context, INDArray residual) {
        return toOut.forwardAdding(heads(x, context), residual);
    }

    /** The heads' merged outputs before {@code to_out}, [B, T, dim]. */
    private INDArray heads(INDArray x, INDArray context) {
        INDArray q = toQ.forward(x);                                  // [B, T, dim]
        INDArray k = toK.forward(context);                            // [B, S, dim]
        INDArray v = toV.forward(context);
        return Attention.attend(q, k, v, heads, false);
    }

    /** The same attention in ONNX. */
    public String onnx(OnnxGraph g, String x, String context) {
        return toOut.onnx(g, Attention.onnx(g, toQ.onnx(g, x), toK.onnx(g, context), toV.onnx(g, context), heads, dim));
    }
}
