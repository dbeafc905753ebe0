package org.meg.channel;

import java.util.Objects;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Analog (uncoded) transmission of a real block: the values themselves ride the channel.
 *
 * <ol>
 *   <li>Normalise: {@code s = sqrt((1/m) sum v_i^2)} with {@code m = ceil(n / 2)}; send
 *       {@code v / s}, so the complex block has unit average power {@code Es = 1}. {@code s}
 *       travels as lossless side information, {@value #SCALE_BITS} bits (a float32). An
 *       all-zero block keeps {@code s = 1}.</li>
 *   <li>Pair into {@code m} complex symbols ({@link ComplexSymbols#ofReals}).</li>
 *   <li>Pass through the channel, unpair, multiply by {@code s}.</li>
 * </ol>
 *
 * <p>{@link #unnormalised} skips step 1 and sends no side information, matching code that adds
 * noise to raw features (use it with {@link AwgnChannel.Convention#SEMCOM_PER_ELEMENT}, whose noise
 * follows the block's own power anyway).
 */
public final class AnalogTransport implements Transport {
    /** Side-information bits for the normalising scale (one float32). */
    public static final int SCALE_BITS = 32;

    private final Channel channel;
    private final boolean normalise;

    private AnalogTransport(Channel channel, boolean normalise) {
        this.channel = channel;
        this.normalise = normalise;
    }

    /** Unit-power normalised analog transport over {@code channel}. */
    public static AnalogTransport of(Channel channel) {
        return new AnalogTransport(Objects.requireNonNull(channel, "channel"), true);
    }

    /** Analog transport of the raw values, with no normalisation and no side information. */
    public static AnalogTransport unnormalised(Channel channel) {
        return new AnalogTransport(Objects.requireNonNull(channel, "channel"), false);
    }

    /** The channel underneath. */
    public Channel channel() {
        return channel;
    }

    @Override
    public Delivery send(float[] values, RandomGenerator rng) {
        Transport.requireFiniteBlock(values);
        // 1. scale to unit average power per complex symbol
        double s = normalise ? symbolRms(values) : 1.0;
        if (s == 0.0) {
            s = 1.0;
        }
        // 2. pair into complex symbols; 3. channel; unpair and undo the scale
        ComplexSymbols x = ComplexSymbols.ofReals(values, 1.0 / s);
        ComplexSymbols y = channel.transmit(x, rng);
        return new Delivery(y.toReals(s), 0, normalise ? SCALE_BITS : 0, x.size(), 0);
    }

    @Override
    public long channelUses(int valueCount) {
        return (valueCount + 1L) / 2;
    }

    @Override
    public long bits(int valueCount) {
        return normalise ? SCALE_BITS : 0;
    }

    @Override
    public String toString() {
        return (normalise ? "analog" : "analog (unnormalised)") + " over " + channel;
    }

    /** {@code sqrt((1/m) sum v_i^2)}, {@code m = ceil(n / 2)}: the rms of the paired symbols. */
    private static double symbolRms(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum / ((v.length + 1) / 2));
    }
}
