package org.meg.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Maps images to SD's scaled latent space and back (AutoencoderKL with its 0.18215 factor, or
 * TAESD, which works in the same space).
 */
public interface LatentCodec {
    /**
     * Image [B, 3, H, W] in [-1, 1] to scaled latents [B, 4, H/8, W/8]; a stochastic encoder
     * draws its sample from {@code noise} under the name {@code posterior_eps}.
     */
    INDArray encode(INDArray image, NoiseSource noise);

    /** Scaled latents [B, 4, h, w] to an image [B, 3, 8h, 8w] in about [-1, 1], not clamped. */
    INDArray decode(INDArray latents);

    /** A short name for reports (e.g. "AutoencoderKL", "TAESD"). */
    String name();
}
