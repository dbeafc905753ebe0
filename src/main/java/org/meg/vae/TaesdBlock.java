package org.meg.vae;

import org.meg.nn.Conv2d;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * TAESD residual block ({@code taesd.py Block(n, n)}): {@code relu(conv.4(relu(conv.2(relu(conv.0(x))))) + x)}.
 * The skip is the identity: every SD 1.x TAESD block has n_in == n_out, so there is no {@code skip.weight}.
 */
final class TaesdBlock {
    private final Conv2d conv0;
    // conv.1 is ReLU
    private final Conv2d conv2;
    // conv.3 is ReLU
    private final Conv2d conv4;
    // fuse is ReLU

    private TaesdBlock(Conv2d conv0, Conv2d conv2, Conv2d conv4) {
        this.conv0 = conv0;
        this.conv2 = conv2;
        this.conv4 = conv4;
    }

    /** Loads {@code conv.0, conv.2, conv.4}, each 3x3 with bias. */
    static TaesdBlock load(Weights w, int channels) {
        Weights c = w.child("conv");
        return new TaesdBlock(
                Conv2d.load(c.child("0"), channels, channels, 3, 1, 1),
                Conv2d.load(c.child("2"), channels, channels, 3, 1, 1),
                Conv2d.load(c.child("4"), channels, channels, 3, 1, 1));
    }

    /** {@code [B, C, H, W] -> [B, C, H, W]}. */
    INDArray forward(INDArray x) {
        INDArray h = Transforms.relu(conv0.forward(x), false);
        h = Transforms.relu(conv2.forward(h), false);
        return Transforms.relu(conv4.forward(h).addi(x), false);
    }
}
