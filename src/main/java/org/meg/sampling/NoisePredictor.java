package org.meg.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The denoising network seen by a sampler: epsilon_theta(x_t, t, context). */
@FunctionalInterface
public interface NoisePredictor {
    /**
     * @param latents [B, 4, h, w] scaled latents x_t
     * @param t       integer timestep, the same for the whole batch
     * @param context [B, 77, C] text-encoder hidden states
     * @return [B, 4, h, w] predicted noise
     */
    INDArray predict(INDArray latents, int t, INDArray context);
}
