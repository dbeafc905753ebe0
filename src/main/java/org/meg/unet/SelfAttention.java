package org.meg.unet;

import org.meg.nn.Attention;
import org.meg.nn.Linear;
import org.meg.nn.Weights;
import org.meg.onnx.OnnxGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-head attention of U-Net tokens on themselves ({@code attn1}):
 * {@code to_out(softmax(q k^T / sqrt(d)) v)}, q/k/v without bias (CompVis {@code CrossAttention}
 * with the context the tokens). q, k and v come from one gemm, {@code x [to_q; to_k; to_v]^T}
 * ({@link Linear#loadStacked}), and the attention reads them in place as column slices of its
 * [B, T, 3 dim] output: the same maps as {@link CrossAttention}'s three, in one pass.
 */
public final class SelfAttention {
    private final Linear toQkv;                                       // to_q, to_k, to_v stacked (no bias)
    private final Linear toOut;                                       // to_out.0; to_out.1 is Dropout
    private final int heads;
    private final int dim;

    private SelfAttention(Linear toQkv, Linear toOut, int heads) {
        this.toQkv = toQkv;
        this.toOut = toOut;
        this.heads = heads;
        this.dim = toOut.outFeatures();
    }

    /** Loads self-attention over {@code dim}-wide tokens. */
    public static SelfAttention load(Weights w, int dim, int heads) {
        return new SelfAttention(
                Linear.loadStacked(dim, dim, false, w.child("to_q"), w.child("to_k"), w.child("to_v")),
                Linear.load(w.child("to_out", 0), dim, dim, true),
                heads);
    }

    /** {@code residual + attention(x)}, x and residual [B, T, dim], the residual added in the output projection's gemm ({@link Linear#forwardAdding}). */
    public INDArray forwardAdding(INDArray x, INDArray residual) {
        return toOut.forwardAdding(heads(x), residual);
    }

    /** The heads' merged outputs before {@code to_out}, [B, T, dim]. */
    private INDArray heads(INDArray x) {
        INDArray qkv = toQkv.product(x);                              // [B, T, 3 dim]
        INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, dim));
        INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(dim, 2 * dim));
        INDArray v = qkv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2 * dim, 3 * dim));
        return Attention.attend(q, k, v, heads, false);
    }

    /**
     * The same attention in ONNX, with q, k and v as three {@code MatMul}s, as an export of the
     * checkpoint's own layers has them.
     */
    public String onnx(OnnxGraph g, String x) {
        String q = toQkv.columns(0, dim).onnx(g, x);
        String k = toQkv.columns(dim, 2 * dim).onnx(g, x);
        String v = toQkv.columns(2 * dim, 3 * dim).onnx(g, x);
        return toOut.onnx(g, Attention.onnx(g, q, k, v, heads, dim));
    }
}
