package org.meg.vae;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.meg.nn.Conv2d;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * TAESD decoder (github.com/madebyollin/taesd {@code taesd.py Decoder}), an {@code nn.Sequential}
 * whose indices are the checkpoint keys; SCALED SD latents [B, 4, h, w] -> image [B, 3, 8h, 8w]
 * in about [0, 1], not clamped.
 *
 * <pre>
 * 0 tanh(x/3)*3 | 1 conv(4->64) | 2 ReLU | 3-5 Block | 6 up x2 | 7 conv | 8-10 Block
 * | 11 up x2 | 12 conv | 13-15 Block | 16 up x2 | 17 conv | 18 Block | 19 conv(64->3)
 * </pre>
 * Every conv is 3x3 pad 1; 7, 12, 17 have no bias; upsampling is nearest. Slots 0, 2, 6, 11, 16
 * have no parameters.
 */
public final class TaesdDecoder {
    private static final int[] BLOCKS_AFTER_UPSAMPLE = {3, 3, 1};

    private final List<UnaryOperator<INDArray>> layers;

    private TaesdDecoder(List<UnaryOperator<INDArray>> layers) {
        this.layers = List.copyOf(layers);
    }

    /** Loads layers {@code 1..19} from a view at the Sequential's root. */
    public static TaesdDecoder load(Weights w) {
        int c = TaesdEncoder.CHANNELS;
        List<UnaryOperator<INDArray>> seq = new ArrayList<>();
        seq.add(x -> Transforms.tanh(x.div(3.0), false).muli(3.0));    // 0: soft clamp to (-3, 3)
        seq.add(Conv2d.load(w.child("1"), TaesdEncoder.LATENT_CHANNELS, c, 3, 1, 1)::forward);
        seq.add(x -> Transforms.relu(x, false));                       // 2
        for (int j = 0; j < 3; j++) {
            seq.add(TaesdBlock.load(w.child(String.valueOf(seq.size())), c)::forward);
        }
        for (int blocks : BLOCKS_AFTER_UPSAMPLE) {                     // 2h, 4h, 8h
            seq.add(x -> Nd4j.cnn().upsampling2d(x, 2, 2, true));      // 6, 11, 16: nearest x2
            seq.add(Conv2d.loadNoBias(w.child(String.valueOf(seq.size())), c, c, 3, 1, 1)::forward);
            for (int j = 0; j < blocks; j++) {
                seq.add(TaesdBlock.load(w.child(String.valueOf(seq.size())), c)::forward);
            }
        }
        seq.add(Conv2d.load(w.child(String.valueOf(seq.size())), c, 3, 3, 1, 1)::forward);   // 19
        return new TaesdDecoder(seq);
    }

    /** Scaled latents [B, 4, h, w] -> image [B, 3, 8h, 8w] in about [0, 1], not clamped. */
    public INDArray forward(INDArray latents) {
        Shapes.checkLatents(latents, TaesdEncoder.LATENT_CHANNELS);
        INDArray h = latents;
        for (UnaryOperator<INDArray> layer : layers) {
            h = layer.apply(h);
        }
        return h;
    }
}
