package org.meg.model;

/**
 * Choices a checkpoint cannot record.
 *
 * @param unetHeads attention heads of the U-Net (0: the sidecar config's, else SD 1.x's 8)
 * @param textHeads attention heads of the text encoder (0: the config's, else hidden / 64)
 * @param codec     which image codec to use
 */
public record ModelOptions(int unetHeads, int textHeads, Codec codec) {
    /** The image encoder/decoder. */
    public enum Codec {
        /** The checkpoint's AutoencoderKL if it has one, else the shipped TAESD. */
        AUTO,
        /** The checkpoint's AutoencoderKL (an error if it has none). */
        VAE,
        /** The shipped TAESD, in the same scaled latent space. */
        TAESD
    }

    /** Validates. */
    public ModelOptions {
        if (unetHeads < 0 || textHeads < 0) {
            throw new IllegalArgumentException("head counts must be >= 0 (0 = automatic)");
        }
        if (codec == null) {
            codec = Codec.AUTO;
        }
    }

    /** Everything automatic. */
    public static ModelOptions defaults() {
        return new ModelOptions(0, 0, Codec.AUTO);
    }

    /** A copy with another codec. */
    public ModelOptions withCodec(Codec c) {
        return new ModelOptions(unetHeads, textHeads, c);
    }
}
