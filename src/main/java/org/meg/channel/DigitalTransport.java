package org.meg.channel;

import java.util.Objects;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Digital transmission of a real block:
 * <ol>
 *   <li>quantise to {@code b}-bit levels over the block's range ({@link UniformQuantizer});</li>
 *   <li>levels to {@code n b} payload bits, natural binary MSB first ({@link Bits});</li>
 *   <li>channel-encode ({@link ChannelCode});</li>
 *   <li>modulate to {@code ceil(coded / k)} unit-energy symbols ({@link Modulation});</li>
 *   <li>pass through the channel;</li>
 *   <li>hard-demodulate;</li>
 *   <li>decode, and read the bits back as levels;</li>
 *   <li>dequantise with the range, which travels as lossless side information (64 bits).</li>
 * </ol>
 * Side information is counted in bits but assumed to use no data channel uses.
 */
public final class DigitalTransport implements Transport {
    private final UniformQuantizer quantizer;
    private final ChannelCode code;
    private final Modulation modulation;
    private final Channel channel;

    private DigitalTransport(UniformQuantizer quantizer, ChannelCode code, Modulation modulation, Channel channel) {
        this.quantizer = quantizer;
        this.code = code;
        this.modulation = modulation;
        this.channel = channel;
    }

    /** Quantiser, code, modulation and channel, in chain order. */
    public static DigitalTransport of(UniformQuantizer quantizer, ChannelCode code, Modulation modulation, Channel channel) {
        return new DigitalTransport(Objects.requireNonNull(quantizer, "quantizer"), Objects.requireNonNull(code, "code"),
                Objects.requireNonNull(modulation, "modulation"), Objects.requireNonNull(channel, "channel"));
    }

    /** Uncoded {@code bits}-bit transport: {@code of(UniformQuantizer.of(bits), none(), modulation, channel)}. */
    public static DigitalTransport uncoded(int bits, Modulation modulation, Channel channel) {
        return of(UniformQuantizer.of(bits), ChannelCode.none(), modulation, channel);
    }

    /** The quantiser. */
    public UniformQuantizer quantizer() {
        return quantizer;
    }

    /** The channel code. */
    public ChannelCode code() {
        return code;
    }

    /** The modulation. */
    public Modulation modulation() {
        return modulation;
    }

    /** The channel. */
    public Channel channel() {
        return channel;
    }

    @Override
    public Delivery send(float[] values, RandomGenerator rng) {
        int b = quantizer.bits();
        QuantizedBlock q = quantizer.quantize(values);                     // 1.
        boolean[] payload = Bits.fromLevels(q.levels(), b);                // 2. [n b]
        boolean[] coded = code.encode(payload);                            // 3. [n b r]
        ComplexSymbols x = modulation.modulate(coded);                     // 4. [ceil(n b r / k)]
        ComplexSymbols y = channel.transmit(x, rng);                       // 5.
        boolean[] hard = modulation.demodulate(y, coded.length);           // 6.
        boolean[] decoded = code.decode(hard, payload.length);             // 7.
        QuantizedBlock received = q.withLevels(Bits.toLevels(decoded, values.length, b));
        float[] out = quantizer.dequantize(received);                      // 8.
        return new Delivery(out, payload.length, UniformQuantizer.SIDE_INFORMATION_BITS, x.size(),
                Bits.countErrors(payload, decoded));
    }

    @Override
    public long channelUses(int valueCount) {
        return modulation.symbolsFor(code.codedLength((long) valueCount * quantizer.bits()));
    }

    @Override
    public long bits(int valueCount) {
        return (long) valueCount * quantizer.bits() + UniformQuantizer.SIDE_INFORMATION_BITS;
    }

    @Override
    public String toString() {
        return quantizer.bits() + "-bit " + code + " " + modulation + " over " + channel;
    }
}
