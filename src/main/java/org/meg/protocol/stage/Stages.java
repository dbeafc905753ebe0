package org.meg.protocol.stage;

import org.meg.sampling.NoiseSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The stages a node can run (the paper's inferencer, generator, sketcher and completer), on the
 * node's own model. Images are [1, 3, H, W] in [-1, 1]; seeds are scaled latents [1, 4, H/8, W/8].
 *
 * <p>{@code channelVariance} is the per-element variance of the channel noise on an input that
 * arrived over the air (0 when it did not, or when SNR-matched denoising is off): a stage may
 * treat the received latent as a diffusion state at the matching noise level.
 */
public interface Stages {
    /** Inferencer: image to seed. */
    INDArray encode(INDArray image, NoiseSource noise);

    /** Seed-to-seed generation: image-to-image denoising guided by the prompt. */
    INDArray denoise(INDArray seed, String prompt, NoiseSource noise, double channelVariance);

    /** Seed-to-image: decode (after finishing the channel noise's denoising if it is non-zero). */
    INDArray decode(INDArray seed, String prompt, NoiseSource noise, double channelVariance);

    /** Sketcher: image to a low-resolution generated sketch. */
    INDArray sketch(INDArray image, String prompt, NoiseSource noise);

    /** Completer: sketch to a full-resolution image. */
    INDArray complete(INDArray sketch, String prompt, NoiseSource noise);
}
