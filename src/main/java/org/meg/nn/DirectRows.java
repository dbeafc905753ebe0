package org.meg.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs of floats copied between an array's off-heap buffer and the heap in whole vector loads and
 * stores, in place of {@code FloatBuffer}'s bulk copies. Where a kernel reads the floats it has just
 * copied, float by float or at a stride, the bulk copy measured far slower: in the fused attention
 * the transpose of 40-float query rows copied that way took ~7% of the attention at 4096 tokens,
 * against ~0.5% copied in vectors.
 */
final class DirectRows {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private DirectRows() {
    }

    /** x's whole buffer (from float 0, not x's offset) in the platform's byte order. */
    static ByteBuffer of(INDArray x) {
        return x.data().asNio().order(ORDER);
    }

    /**
     * {@code dst[off .. off + n) = } the n floats of b from float {@code at}: whole vectors, the last
     * one overlapping the one before it when n is not a multiple of L; a float at a time below L.
     */
    static void get(ByteBuffer b, int at, float[] dst, int off, int n) {
        if (n < L) {
            for (int e = 0; e < n; e++) {
                dst[off + e] = b.getFloat(4 * (at + e));
            }
            return;
        }
        for (int e = 0; ; e += L) {
            int from = Math.min(e, n - L);
            FloatVector.fromByteBuffer(S, b, 4 * (at + from), ORDER).intoArray(dst, off + from);
            if (from == n - L) {
                return;
            }
        }
    }

    /** The n floats of b from float {@code at} = {@code src[off .. off + n)}, as {@link #get} reads them. */
    static void put(float[] src, int off, ByteBuffer b, int at, int n) {
        if (n < L) {
            for (int e = 0; e < n; e++) {
                b.putFloat(4 * (at + e), src[off + e]);
            }
            return;
        }
        for (int e = 0; ; e += L) {
            int from = Math.min(e, n - L);
            FloatVector.fromArray(S, src, off + from).intoByteBuffer(b, 4 * (at + from), ORDER);
            if (from == n - L) {
                return;
            }
        }
    }
}
