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

    /**
     * Frees what the predictor keeps between calls (scratch memory); the next call re-creates it.
     * The sampler calls this when a denoising run ends, so that the decoder that follows has the
     * memory. Must be called on the thread that ran the predictions. Default: nothing.
     */
    default void release() {
    }

    /** A predictor with a {@link #release} action. */
    static NoisePredictor of(NoisePredictor predict, Runnable release) {
        return new NoisePredictor() {
            @Override
            public INDArray predict(INDArray latents, int t, INDArray context) {
                return predict.predict(latents, t, context);
            }

            @Override
            public void release() {
                release.run();
            }
        };
    }
}
