package org.meg.vae;

import org.meg.nn.Attention;
import org.meg.nn.Conv2d;
import org.meg.nn.GroupNorm;
import org.meg.nn.Tensors;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Single-head spatial self-attention of the VAE mid block (CompVis {@code AttnBlock}):
 * {@code x' = x + proj_out(softmax(q k^T / sqrt(C)) v)} with q, k, v = 1x1 convs of norm(x),
 * tokens in row-major (h, w) order. Every projection has a bias.
 */
final class AttnBlock {
    private final GroupNorm norm;
    private final Conv2d q;
    private final Conv2d k;
    private final Conv2d v;
    private final Conv2d projOut;

    private AttnBlock(GroupNorm norm, Conv2d q, Conv2d k, Conv2d v, Conv2d projOut) {
        this.norm = norm;
        this.q = q;
        this.k = k;
        this.v = v;
        this.projOut = projOut;
    }

    /** Loads {@code norm, q, k, v, proj_out}; projections are [C, C, 1, 1] kernels. */
    static AttnBlock load(Weights w, int channels, int groups) {
        return new AttnBlock(
                GroupNorm.load(w.child("norm"), groups, channels, VaeConfig.EPS),
                Conv2d.load(w.child("q"), channels, channels, 1, 1, 0),
                Conv2d.load(w.child("k"), channels, channels, 1, 1, 0),
                Conv2d.load(w.child("v"), channels, channels, 1, 1, 0),
                Conv2d.load(w.child("proj_out"), channels, channels, 1, 1, 0));
    }

    /** {@code [B, C, H, W] -> [B, C, H, W]}. */
    INDArray forward(INDArray x) {
        long b = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long wd = x.size(3);
        INDArray n = norm.forward(x);
        INDArray tq = tokens(q.forward(n));
        INDArray tk = tokens(k.forward(n));
        INDArray tv = tokens(v.forward(n));
        Tensors.release(n);
        INDArray out = Attention.attend(tq, tk, tv, 1, false);
        Tensors.release(tq, tk, tv);
        INDArray img = out.permute(0, 2, 1).dup('c').reshape('c', b, c, h, wd);    // [B, T, C] -> [B, C, H, W]
        Tensors.release(out);
        INDArray y = projOut.forward(img).addi(x);
        Tensors.release(img);
        return y;
    }

    /** {@code [B, C, H, W] -> [B, H*W, C]}, freeing {@code x} (a projection made for this). */
    private static INDArray tokens(INDArray x) {
        return Tensors.replace(x, x.reshape('c', x.size(0), x.size(1), x.size(2) * x.size(3)).permute(0, 2, 1).dup('c'));
    }
}
