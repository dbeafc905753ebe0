package org.meg.nn;

/**
 * Per-thread heap buffers that grow to the largest request and are then reused: the kernels that
 * copy rows, planes or groups of an array into Java memory (parallel on the fork-join pool) take
 * their working arrays here instead of allocating one per task. Each user holds its own instance,
 * so slots of different kernels never alias.
 */
final class ThreadBuffers {
    private final ThreadLocal<float[][]> buffers;

    /** {@code slots} independent buffers per thread. */
    ThreadBuffers(int slots) {
        this.buffers = ThreadLocal.withInitial(() -> new float[slots][0]);
    }

    /** This thread's buffer {@code slot}, at least {@code length} long (contents unspecified). */
    float[] get(int slot, int length) {
        float[][] b = buffers.get();
        if (b[slot].length < length) {
            b[slot] = new float[length];
        }
        return b[slot];
    }
}
