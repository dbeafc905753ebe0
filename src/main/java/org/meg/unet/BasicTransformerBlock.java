package org.meg.unet;

import org.meg.onnx.OnnxGraph;
import org.meg.nn.LayerNorm;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pre-LayerNorm transformer block on U-Net tokens:
 * {@code x += attn1(norm1(x)); x += attn2(norm2(x), context); x += ff(norm3(x))}.
 */
public final class BasicTransformerBlock {
    private static final double EPS = 1e-5;

    private final LayerNorm norm1;                                    // norm1
    private final SelfAttention attn1;                                // attn1 (self)
    private final LayerNorm norm2;                                    // norm2
    private final CrossAttention attn2;                               // attn2 (cross, on the context)
    private final LayerNorm norm3;                                    // norm3
    private final FeedForward ff;                                     // ff

    private BasicTransformerBlock(LayerNorm norm1, SelfAttention attn1, LayerNorm norm2, CrossAttention attn2,
                                  LayerNorm norm3, FeedForward ff) {
        this.norm1 = norm1;
        this.attn1 = attn1;
        this.norm2 = norm2;
        this.attn2 = attn2;
        this.norm3 = norm3;
        this.ff = ff;
    }

    /** Loads a block over {@code dim}-wide tokens attending to a {@code contextDim}-wide context. */
    public static BasicTransformerBlock load(Weights w, int dim, int contextDim, int heads) {
        return new BasicTransformerBlock(
                LayerNorm.load(w.child("norm1"), dim, EPS),
                SelfAttention.load(w.child("attn1"), dim, heads),
                LayerNorm.load(w.child("norm2"), dim, EPS),
                CrossAttention.load(w.child("attn2"), dim, contextDim, heads),
                LayerNorm.load(w.child("norm3"), dim, EPS),
                FeedForward.load(w.child("ff"), dim));
    }

    /** {@code x [B, T, dim], context [B, S, contextDim] -> [B, T, dim]}; x is not modified. */
    public INDArray forward(INDArray x, INDArray context) {
        INDArray n1 = norm1.forward(x);
        INDArray h = attn1.forwardAdding(n1, x);                      // each residual added in its output gemm
        h = attn2.forwardAdding(norm2.forward(h), context, h);
        return ff.forwardAdding(norm3.forward(h), h);
    }

    /** The same block in ONNX. */
    public String onnx(OnnxGraph g, String x, String context) {
        String n1 = norm1.onnx(g, x);
        String h = g.op("Add", attn1.onnx(g, n1), x);
        h = g.op("Add", h, attn2.onnx(g, norm2.onnx(g, h), context));
        return g.op("Add", h, ff.onnx(g, norm3.onnx(g, h)));
    }
}
