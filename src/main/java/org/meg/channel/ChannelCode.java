package org.meg.channel;

/** A binary channel code: message bits to coded bits and back (hard decisions). */
public interface ChannelCode {
    /** Coded bits for {@code message}. */
    boolean[] encode(boolean[] message);

    /** Estimate of the {@code messageLength} message bits from received coded bits. */
    boolean[] decode(boolean[] received, int messageLength);

    /** Coded length for a message of {@code messageLength} bits. */
    long codedLength(long messageLength);

    /** Code rate, message bits per coded bit. */
    double rate();

    /** No coding: the rate-1 identity ({@code RepetitionCode.of(1)}). */
    static ChannelCode none() {
        return RepetitionCode.of(1);
    }
}
