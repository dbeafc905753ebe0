package org.meg.vae;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Argument checks shared by the codecs, with messages that name the offending shape. */
final class Shapes {
    private Shapes() {
    }

    /** Checks that {@code image} is [B, 3, H, W] with H and W multiples of {@code factor}. */
    static void checkImage(INDArray image, int factor) {
        if (image.rank() != 4 || image.size(1) != 3) {
            throw new IllegalArgumentException("image must be [B, 3, H, W], got " + Arrays.toString(image.shape()));
        }
        long h = image.size(2);
        long w = image.size(3);
        if (h % factor != 0 || w % factor != 0) {
            throw new IllegalArgumentException("image size " + h + "x" + w + " (HxW) is not a multiple of "
                    + factor + "; resize or crop it to e.g. " + (h / factor * factor) + "x" + (w / factor * factor));
        }
    }

    /** Checks that {@code latents} is [B, channels, h, w]. */
    static void checkLatents(INDArray latents, int channels) {
        if (latents.rank() != 4 || latents.size(1) != channels) {
            throw new IllegalArgumentException("latents must be [B, " + channels + ", h, w], got "
                    + Arrays.toString(latents.shape()));
        }
    }
}
