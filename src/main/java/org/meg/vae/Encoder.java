package org.meg.vae;

import org.meg.nn.Conv2d;
import org.meg.nn.GroupNorm;
import org.meg.nn.Tensors;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The VAE encoder, {@code first_stage_model.encoder} (CompVis {@code Encoder}, double_z):
 * image [B, 3, H, W] -> moments [B, 2z, H/8, W/8] before {@code quant_conv}.
 */
final class Encoder {
    private final Conv2d convIn;
    private final DownLevel[] down;
    private final MidBlock mid;
    private final GroupNorm normOut;
    // SiLU between norm_out and conv_out
    private final Conv2d convOut;

    private Encoder(Conv2d convIn, DownLevel[] down, MidBlock mid, GroupNorm normOut, Conv2d convOut) {
        this.convIn = convIn;
        this.down = down;
        this.mid = mid;
        this.normOut = normOut;
        this.convOut = convOut;
    }

    /** Loads {@code conv_in, down.i, mid, norm_out, conv_out}. */
    static Encoder load(Weights w, VaeConfig cfg) {
        int levels = cfg.levels();
        DownLevel[] down = new DownLevel[levels];
        int in = cfg.ch();
        for (int i = 0; i < levels; i++) {
            int out = cfg.channels(i);
            down[i] = DownLevel.load(w.child("down", i), in, out, cfg.numResBlocks(), cfg.groups(), i != levels - 1);
            in = out;
        }
        return new Encoder(
                Conv2d.load(w.child("conv_in"), 3, cfg.ch(), 3, 1, 1),
                down,
                MidBlock.load(w.child("mid"), in, cfg.groups()),
                GroupNorm.load(w.child("norm_out"), cfg.groups(), in, VaeConfig.EPS),
                Conv2d.load(w.child("conv_out"), in, 2 * cfg.zChannels(), 3, 1, 1));
    }

    /**
     * {@code [B, 3, H, W] -> [B, 2z, H/8, W/8]}; taps use diffusers names. Each stage's input is
     * freed once the next exists, so a tap must copy what it keeps.
     */
    INDArray forward(INDArray image, Tap tap) {
        INDArray h = convIn.forward(image);                            // [B, ch, H, W]
        tap.record("encoder.conv_in", h);
        for (int i = 0; i < down.length; i++) {
            h = Tensors.replace(h, down[i].forward(h));                // [B, ch*mult[i], H/2^(i+1), ...]
            tap.record("encoder.down_blocks." + i, h);
        }
        h = Tensors.replace(h, mid.forward(h));
        tap.record("encoder.mid_block", h);
        h = Tensors.replace(h, normOut.forwardSilu(h));
        h = Tensors.replace(h, convOut.forward(h));                    // [B, 2z, H/8, W/8]
        tap.record("encoder", h);
        return h;
    }
}
