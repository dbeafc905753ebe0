package org.meg.io;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view of a storage with an element
 * offset, a shape and strides in elements. Nothing is read until {@link TorchCheckpoint} materialises it.
 */
record TorchTensor(TorchStorage storage, long offset, long[] shape, long[] stride) {
    /** Element type of the storage. */
    DType dtype() {
        return storage.dtype();
    }

    /** Number of elements, or an error if it overflows a long. */
    long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** True when the strides are row-major for the shape (size-1 dimensions may have any stride). */
    boolean contiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    @Override
    public String toString() {
        return dtype() + Arrays.toString(shape) + " stride " + Arrays.toString(stride) + " offset " + offset
                + " of storage '" + storage.key() + "'";
    }
}
