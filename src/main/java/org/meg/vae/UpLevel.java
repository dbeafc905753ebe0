package org.meg.vae;

import org.meg.nn.Conv2d;
import org.meg.nn.Tensors;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One decoder resolution level, {@code decoder.up.i}: ResNets {@code block.j}, then an optional upsample. */
final class UpLevel {
    private final ResnetBlock[] block;
    private final Conv2d upsampleConv;                                 // null at level 0 (full resolution)

    private UpLevel(ResnetBlock[] block, Conv2d upsampleConv) {
        this.block = block;
        this.upsampleConv = upsampleConv;
    }

    /** Loads {@code block.0..n-1} (in -> out channels) and, if {@code upsample}, {@code upsample.conv}. */
    static UpLevel load(Weights w, int in, int out, int blocks, int groups, boolean upsample) {
        ResnetBlock[] b = new ResnetBlock[blocks];
        for (int j = 0; j < blocks; j++) {
            b[j] = ResnetBlock.load(w.child("block", j), j == 0 ? in : out, out, groups);
        }
        Conv2d up = upsample ? Conv2d.load(w.child("upsample", "conv"), out, out, 3, 1, 1) : null;
        return new UpLevel(b, up);
    }

    /**
     * {@code [B, in, h, w] -> [B, out, 2h, 2w]} (or h, w at level 0), for a caller whose last use
     * of x this is: x is freed (its memory may hold a temporary first).
     */
    INDArray forwardConsuming(INDArray x) {
        INDArray h = x;
        for (ResnetBlock r : block) {
            h = r.forwardConsuming(h);
        }
        if (upsampleConv != null) {
            // CompVis Upsample(with_conv=True): nearest x2, then conv3x3 pad 1
            h = Tensors.replace(h, upsampleConv.forwardUpsampled(h));
        }
        return h;
    }
}
