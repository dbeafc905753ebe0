package org.meg.vae;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The VAE's diagonal Gaussian posterior q(z | x) (CompVis {@code DiagonalGaussianDistribution}),
 * all three arrays [B, z, H/8, W/8] in the UNSCALED latent space.
 *
 * @param mean   first z channels of {@code quant_conv(encoder(x))}
 * @param logvar last z channels, clamped to [-30, 20]
 * @param std    exp(logvar / 2)
 */
public record Posterior(INDArray mean, INDArray logvar, INDArray std) {
    /** A draw {@code mean + std * eps} with caller-supplied standard normal noise {@code eps} (same shape). */
    public INDArray sample(INDArray eps) {
        if (!Arrays.equals(eps.shape(), mean.shape())) {
            throw new IllegalArgumentException("eps has shape " + Arrays.toString(eps.shape())
                    + ", posterior has " + Arrays.toString(mean.shape()));
        }
        return std.mul(eps).addi(mean);
    }

    /** The mode, {@code mean} (diffusers {@code latent_dist.mode()}). */
    public INDArray mode() {
        return mean;
    }
}
