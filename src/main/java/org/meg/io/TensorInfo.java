package org.meg.io;

import java.util.Arrays;

/**
 * One header entry of a safetensors file.
 *
 * @param name  tensor name
 * @param dtype element type
 * @param shape dimensions, outermost first
 * @param begin first byte, relative to the start of the data section
 * @param end   one past the last byte, relative to the start of the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    /** Number of elements (product of the shape; 1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Shape as text, e.g. {@code [320, 4, 3, 3]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }
}
