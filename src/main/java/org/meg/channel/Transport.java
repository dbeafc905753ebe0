package org.meg.channel;

import org.apache.commons.math3.random.RandomGenerator;

/** Carries a real-valued block (a flattened tensor) over a {@link Channel}, analog or digital. */
public interface Transport {
    /** Sends {@code values} and returns what the receiver reconstructs, with the accounting. */
    Delivery send(float[] values, RandomGenerator rng);

    /** Complex channel uses {@link #send} spends on {@code valueCount} values. */
    long channelUses(int valueCount);

    /** Bits {@link #send} reports for {@code valueCount} values (payload plus side information). */
    long bits(int valueCount);

    /** Throws naming the problem unless {@code values} is non-empty and all finite. */
    static void requireFiniteBlock(float[] values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("cannot send an empty block");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("value " + i + " is " + values[i] + "; only finite values can be sent");
            }
        }
    }
}
