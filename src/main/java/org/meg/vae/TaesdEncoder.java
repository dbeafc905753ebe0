package org.meg.vae;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.meg.nn.Conv2d;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * TAESD encoder (github.com/madebyollin/taesd {@code taesd.py Encoder}), an {@code nn.Sequential}
 * whose indices are the checkpoint keys; image [B, 3, H, W] in [0, 1] -> SCALED SD latents
 * [B, 4, H/8, W/8] (they already include 0.18215), no clamp.
 *
 * <pre>
 * 0 conv(3->64) | 1 Block | 2 conv s2 | 3-5 Block | 6 conv s2 | 7-9 Block | 10 conv s2 | 11-13 Block | 14 conv(64->4)
 * </pre>
 * Every conv is 3x3 pad 1; the stride-2 ones have no bias.
 */
public final class TaesdEncoder {
    static final int CHANNELS = 64;
    static final int LATENT_CHANNELS = 4;

    private final List<UnaryOperator<INDArray>> layers;

    private TaesdEncoder(List<UnaryOperator<INDArray>> layers) {
        this.layers = List.copyOf(layers);
    }

    /** Loads layers {@code 0..14} from a view at the Sequential's root. */
    public static TaesdEncoder load(Weights w) {
        int c = CHANNELS;
        List<UnaryOperator<INDArray>> seq = new ArrayList<>();
        seq.add(Conv2d.load(w.child("0"), 3, c, 3, 1, 1)::forward);
        seq.add(TaesdBlock.load(w.child("1"), c)::forward);
        for (int stage = 0; stage < 3; stage++) {                      // H/2, H/4, H/8
            seq.add(Conv2d.loadNoBias(w.child(String.valueOf(seq.size())), c, c, 3, 2, 1)::forward);
            for (int j = 0; j < 3; j++) {
                seq.add(TaesdBlock.load(w.child(String.valueOf(seq.size())), c)::forward);
            }
        }
        seq.add(Conv2d.load(w.child(String.valueOf(seq.size())), c, LATENT_CHANNELS, 3, 1, 1)::forward);  // 14
        return new TaesdEncoder(seq);
    }

    /** Image [B, 3, H, W] in [0, 1] -> scaled latents [B, 4, H/8, W/8]. */
    public INDArray forward(INDArray image01) {
        Shapes.checkImage(image01, 8);
        INDArray h = image01;
        for (UnaryOperator<INDArray> layer : layers) {
            h = layer.apply(h);
        }
        return h;
    }
}
