package org.meg.channel;

import java.util.Objects;

/**
 * What one {@link Transport#send} delivered.
 *
 * @param values              the receiver's reconstruction, same length as the input; a fresh
 *                            array owned by the caller
 * @param payloadBits         information bits sent over the channel ({@code n b} digital; 0 analog)
 * @param sideInformationBits bits assumed delivered losslessly beside the block (scale, range)
 * @param channelUses         complex channel uses spent
 * @param bitErrors           payload bits wrong after decoding (0 for analog, which has no bits)
 */
public record Delivery(float[] values, long payloadBits, long sideInformationBits, long channelUses, long bitErrors) {
    /** Validates the counts. */
    public Delivery {
        Objects.requireNonNull(values, "values");
        if (payloadBits < 0 || sideInformationBits < 0 || channelUses < 0 || bitErrors < 0 || bitErrors > payloadBits) {
            throw new IllegalArgumentException("inconsistent counts: payload " + payloadBits + ", side "
                    + sideInformationBits + ", uses " + channelUses + ", errors " + bitErrors);
        }
    }

    /** Bits a ledger records: {@code payloadBits + sideInformationBits}. */
    public long totalBits() {
        return payloadBits + sideInformationBits;
    }

    /** Post-decoding bit error rate {@code bitErrors / payloadBits} (0 when there are no bits). */
    public double bitErrorRate() {
        return payloadBits == 0 ? 0.0 : (double) bitErrors / payloadBits;
    }
}
