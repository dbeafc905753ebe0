package org.meg.vae;

import org.meg.nn.Conv2d;
import org.meg.nn.GroupNorm;
import org.meg.nn.Tensors;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The VAE decoder, {@code first_stage_model.decoder} (CompVis {@code Decoder}):
 * z [B, z, h, w] after {@code post_quant_conv} -> image [B, 3, 8h, 8w].
 *
 * <p>{@code up.i} is indexed by resolution level, so it runs from {@code up.(L-1)} (lowest
 * resolution) down to {@code up.0}; diffusers numbers the same blocks in run order, so
 * {@code up_blocks.k} = {@code up.(L-1-k)}.
 */
final class Decoder {
    private final Conv2d convIn;
    private final MidBlock mid;
    private final UpLevel[] up;
    private final GroupNorm normOut;
    // SiLU between norm_out and conv_out
    private final Conv2d convOut;

    private Decoder(Conv2d convIn, MidBlock mid, UpLevel[] up, GroupNorm normOut, Conv2d convOut) {
        this.convIn = convIn;
        this.mid = mid;
        this.up = up;
        this.normOut = normOut;
        this.convOut = convOut;
    }

    /** Loads {@code conv_in, mid, up.i, norm_out, conv_out}. */
    static Decoder load(Weights w, VaeConfig cfg) {
        int levels = cfg.levels();
        int in = cfg.channels(levels - 1);
        Conv2d convIn = Conv2d.load(w.child("conv_in"), cfg.zChannels(), in, 3, 1, 1);
        MidBlock mid = MidBlock.load(w.child("mid"), in, cfg.groups());
        UpLevel[] up = new UpLevel[levels];
        for (int i = levels - 1; i >= 0; i--) {
            int out = cfg.channels(i);
            up[i] = UpLevel.load(w.child("up", i), in, out, cfg.numResBlocks() + 1, cfg.groups(), i != 0);
            in = out;
        }
        return new Decoder(convIn, mid, up,
                GroupNorm.load(w.child("norm_out"), cfg.groups(), in, VaeConfig.EPS),
                Conv2d.load(w.child("conv_out"), in, 3, 3, 1, 1));
    }

    /**
     * {@code [B, z, h, w] -> [B, 3, 8h, 8w]}, raw (not clamped); taps use diffusers names. Each
     * stage's input is freed once the next exists, so a tap must copy what it keeps.
     */
    INDArray forward(INDArray z, Tap tap) {
        INDArray h = convIn.forward(z);                                // [B, ch*mult[L-1], h, w]; z stays the caller's
        tap.record("decoder.conv_in", h);
        h = Tensors.replace(h, mid.forward(h));
        tap.record("decoder.mid_block", h);
        for (int i = up.length - 1; i >= 0; i--) {
            h = up[i].forwardConsuming(h);                                     // [B, ch*mult[i], ...] at 2x unless i == 0; frees h
            tap.record("decoder.up_blocks." + (up.length - 1 - i), h);
        }
        h = Tensors.replace(h, normOut.forwardSilu(h));
        return Tensors.replace(h, convOut.forward(h));                         // [B, 3, 8h, 8w]
    }
}
