package org.meg.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where every random draw of a generation comes from. Draws are named (the reference's names:
 * {@code posterior_eps}, {@code noise}, {@code initial_latents}, {@code stepNN.variance_noise})
 * so that a run of another implementation can be reproduced by supplying its stored tensors.
 */
public interface NoiseSource {
    /** A standard-normal tensor of the given shape for the named draw. */
    INDArray normal(String name, long... shape);
}
