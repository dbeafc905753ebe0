package org.meg.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Told after every denoising step (progress bars, saving every step's latents). */
@FunctionalInterface
public interface StepListener {
    /** Does nothing. */
    StepListener NONE = (k, total, t, latents) -> { };

    /**
     * @param k       0-based index of the step just done
     * @param total   number of steps in this run
     * @param t       the timestep it denoised from
     * @param latents the latents after the step (do not modify)
     */
    void afterStep(int k, int total, int t, INDArray latents);
}
