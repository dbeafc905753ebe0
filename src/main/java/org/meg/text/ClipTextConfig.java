package org.meg.text;

import org.meg.io.SafeTensorsException;
import org.meg.io.TensorSource;

/**
 * Sizes of a CLIP text transformer (HF {@code CLIPTextConfig}); defaults are SD 1.x's CLIP ViT-L/14.
 *
 * @param vocabSize    token embedding rows (49408)
 * @param maxPositions position embedding rows (77)
 * @param hidden       width of the residual stream (768)
 * @param layers       encoder layers (12)
 * @param heads        attention heads (12); not detectable from weights
 * @param intermediate MLP width (3072)
 * @param eps          LayerNorm epsilon (1e-5)
 */
public record ClipTextConfig(int vocabSize, int maxPositions, int hidden, int layers, int heads,
                             int intermediate, double eps) {
    /** Validates the sizes. */
    public ClipTextConfig {
        if (hidden <= 0 || heads <= 0 || hidden % heads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " must be a positive multiple of heads " + heads);
        }
        if (layers <= 0 || intermediate <= 0 || vocabSize <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("text encoder sizes must be positive");
        }
    }

    /** SD 1.x's text encoder (openai/clip-vit-large-patch14). */
    public static ClipTextConfig sd15() {
        return new ClipTextConfig(49408, 77, 768, 12, 12, 3072, 1e-5);
    }

    /**
     * Reads the sizes from weight shapes under {@code text_model.}; heads, which no shape
     * records, is {@code heads} or, when that is 0, hidden / 64 (CLIP's head width).
     */
    public static ClipTextConfig detect(TensorSource src, int heads) {
        String tok = "text_model.embeddings.token_embedding.weight";
        if (!src.names().contains(tok)) {
            throw new SafeTensorsException("missing key '" + tok + "': not a CLIP text encoder");
        }
        long[] te = src.shape(tok);
        long[] pe = src.shape("text_model.embeddings.position_embedding.weight");
        int layers = 0;
        while (src.names().contains("text_model.encoder.layers." + layers + ".mlp.fc1.weight")) {
            layers++;
        }
        long[] fc1 = src.shape("text_model.encoder.layers.0.mlp.fc1.weight");
        int hidden = (int) te[1];
        int h = heads > 0 ? heads : Math.max(1, hidden / 64);
        return new ClipTextConfig((int) te[0], (int) pe[0], hidden, layers, h, (int) fc1[0], 1e-5);
    }
}
