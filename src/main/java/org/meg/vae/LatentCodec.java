package org.meg.vae;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An image <-> latent codec in the space the SD 1.x U-Net works in, so the full VAE and TAESD
 * are interchangeable in a pipeline.
 *
 * <p>Conventions, the same for every implementation:
 * <ul>
 *   <li>images are [B, 3, H, W], RGB, values in [-1, 1] (decoder output is raw: not clamped,
 *       may leave the range slightly); H and W are multiples of {@link #downFactor()};</li>
 *   <li>latents are [B, {@link #latentChannels()}, H/f, W/f] and SCALED: for the SD VAE that is
 *       {@code 0.18215 * z}; TAESD produces and consumes this space directly.</li>
 * </ul>
 */
public interface LatentCodec {
    /**
     * Image in [-1, 1] -> scaled latents. {@code eps} is standard normal noise shaped like the
     * latents, used by stochastic encoders (SD VAE: {@code scaling * (mean + std * eps)}); when it
     * is {@code null} the deterministic mode is returned ({@code scaling * mean}). Deterministic
     * codecs (TAESD) ignore it.
     */
    INDArray encodeScaled(INDArray image, INDArray eps);

    /** Scaled latents -> image in about [-1, 1], not clamped. */
    INDArray decodeScaled(INDArray latents);

    /** Latent channels (4 for SD 1.x). */
    int latentChannels();

    /** Spatial down-scaling from image to latent (8 for SD 1.x). */
    int downFactor();
}
