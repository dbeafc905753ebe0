package org.meg.unet;

import org.meg.onnx.OnnxGraph;
import org.meg.nn.Activations;
import org.meg.nn.Conv2d;
import org.meg.nn.GroupNorm;
import org.meg.nn.Linear;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * U-Net residual block with timestep injection (CompVis {@code ResBlock}, diffusers {@code ResnetBlock2D}):
 * {@code skip(x) + conv(silu(gn(conv(silu(gn(x))) + proj(silu(emb)))))}.
 */
public final class ResBlock implements Layer {
    private static final double EPS = 1e-5;

    private final GroupNorm inNorm;                                   // in_layers.0
    // in_layers.1 is SiLU
    private final Conv2d inConv;                                      // in_layers.2
    // emb_layers.0 is SiLU
    private final Linear embProj;                                     // emb_layers.1
    private final GroupNorm outNorm;                                  // out_layers.0
    // out_layers.1 is SiLU, out_layers.2 is Dropout
    private final Conv2d outConv;                                     // out_layers.3
    private final Conv2d skip;                                        // skip_connection (1x1), null when in == out

    private ResBlock(GroupNorm inNorm, Conv2d inConv, Linear embProj, GroupNorm outNorm, Conv2d outConv, Conv2d skip) {
        this.inNorm = inNorm;
        this.inConv = inConv;
        this.embProj = embProj;
        this.outNorm = outNorm;
        this.outConv = outConv;
        this.skip = skip;
    }

    /** Loads a block mapping {@code in} to {@code out} channels, with an {@code embDim}-wide timestep embedding. */
    public static ResBlock load(Weights w, int in, int out, int embDim, int groups) {
        return new ResBlock(
                GroupNorm.load(w.child("in_layers", 0), groups, in, EPS),
                Conv2d.load(w.child("in_layers", 2), in, out, 3, 1, 1),
                Linear.load(w.child("emb_layers", 1), embDim, out, true),
                GroupNorm.load(w.child("out_layers", 0), groups, out, EPS),
                Conv2d.load(w.child("out_layers", 3), out, out, 3, 1, 1),
                in == out ? null : Conv2d.load(w.child("skip_connection"), in, out, 1, 1, 0));
    }

    /** {@code x [B, in, h, w], emb [B, embDim] -> [B, out, h, w]}. */
    public INDArray forward(INDArray x, INDArray emb) {
        INDArray e = embProj.forward(Activations.silu(emb));                      // [B, out]
        INDArray h = inConv.forward(inNorm.forwardSilu(x), e, null);             // conv + e, [B, out, h, w]
        return outConv.forward(outNorm.forwardSiluInPlace(h), null, skip == null ? x : skip.forward(x));   // h is read once, by the norm
    }

    @Override
    public INDArray forward(INDArray x, Conditioning c) {
        return forward(x, c.emb());
    }

    @Override
    public String onnx(OnnxGraph g, String x, GraphConditioning c) {
        String h = inConv.onnx(g, Activations.silu(g, inNorm.onnx(g, x)));                 // [B, out, h, w]
        String e = embProj.onnx(g, Activations.silu(g, c.emb()));                            // [B, out]
        h = g.op("Add", h, g.op("Unsqueeze", e, g.ints(2, 3)));                              // + [B, out, 1, 1]
        h = outConv.onnx(g, Activations.silu(g, outNorm.onnx(g, h)));
        return g.op("Add", h, skip == null ? x : skip.onnx(g, x));
    }
}
