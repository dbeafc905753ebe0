package org.meg.io;

import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A named collection of tensors: one safetensors file, a folder of them, or a renamed view. */
public interface TensorSource extends AutoCloseable {
    /** Every tensor name this source holds. */
    Set<String> names();

    /** Shape of the named tensor; an error naming the key if absent. */
    long[] shape(String name);

    /** The named tensor as a float32 array, converted from its stored dtype. */
    INDArray load(String name);

    /** Releases any mapped file; the default does nothing. */
    @Override
    default void close() {
    }
}
