package org.meg.vae;

import org.meg.nn.Tensors;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The VAE's lowest-resolution stage, {@code mid}: ResNet, self-attention, ResNet at constant width. */
final class MidBlock {
    private final ResnetBlock block1;
    private final AttnBlock attn1;
    private final ResnetBlock block2;

    private MidBlock(ResnetBlock block1, AttnBlock attn1, ResnetBlock block2) {
        this.block1 = block1;
        this.attn1 = attn1;
        this.block2 = block2;
    }

    /** Loads {@code block_1, attn_1, block_2}. */
    static MidBlock load(Weights w, int channels, int groups) {
        return new MidBlock(
                ResnetBlock.load(w.child("block_1"), channels, channels, groups),
                AttnBlock.load(w.child("attn_1"), channels, groups),
                ResnetBlock.load(w.child("block_2"), channels, channels, groups));
    }

    /** {@code [B, C, h, w] -> [B, C, h, w]}. */
    INDArray forward(INDArray x) {
        INDArray h = block1.forward(x);
        h = Tensors.replace(h, attn1.forward(h));
        return Tensors.replace(h, block2.forward(h));
    }
}
