package org.meg.vae;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Receives intermediate activations during a forward pass, keyed by diffusers module names
 * ({@code encoder.down_blocks.0}, {@code decoder.up_blocks.1}, ...), which is how the reference
 * tensors name them. {@code (m, x) -> map.put(m, x.dup())} is a tap.
 */
@FunctionalInterface
public interface Tap {
    /** A tap that ignores everything. */
    Tap NONE = (module, output) -> { };

    /** Called with a module's output; must not modify it, and must copy ({@code dup}) what it keeps: it may be freed after the call. */
    void record(String module, INDArray output);
}
