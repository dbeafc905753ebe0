package org.meg.vae;

import org.meg.nn.Conv2d;
import org.meg.nn.Tensors;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One encoder resolution level, {@code encoder.down.i}: ResNets {@code block.j}, then an optional downsample. */
final class DownLevel {
    private static final int[][] PAD_RIGHT_BOTTOM = {{0, 0}, {0, 0}, {0, 1}, {0, 1}};

    private final ResnetBlock[] block;
    private final Conv2d downsampleConv;                               // null at the last level

    private DownLevel(ResnetBlock[] block, Conv2d downsampleConv) {
        this.block = block;
        this.downsampleConv = downsampleConv;
    }

    /** Loads {@code block.0..n-1} (in -> out channels) and, if {@code downsample}, {@code downsample.conv}. */
    static DownLevel load(Weights w, int in, int out, int blocks, int groups, boolean downsample) {
        ResnetBlock[] b = new ResnetBlock[blocks];
        for (int j = 0; j < blocks; j++) {
            b[j] = ResnetBlock.load(w.child("block", j), j == 0 ? in : out, out, groups);
        }
        Conv2d down = downsample ? Conv2d.load(w.child("downsample", "conv"), out, out, 3, 2, 0) : null;
        return new DownLevel(b, down);
    }

    /** {@code [B, in, H, W] -> [B, out, H/2, W/2]} (or H, W at the last level). */
    INDArray forward(INDArray x) {
        INDArray h = x;
        for (ResnetBlock r : block) {
            h = Tensors.replace(h, r.forward(h), x);
        }
        if (downsampleConv != null) {
            // CompVis Downsample(with_conv=True): zero pad (left 0, right 1, top 0, bottom 1), conv3x3 stride 2 pad 0
            h = Tensors.replace(h, Nd4j.pad(h, PAD_RIGHT_BOTTOM), x);
            h = Tensors.replace(h, downsampleConv.forward(h));
        }
        return h;
    }
}
