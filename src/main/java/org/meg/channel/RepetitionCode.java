package org.meg.channel;

import java.util.Objects;

/**
 * Rate-{@code 1/r} repetition code, {@code r} odd, decoded by majority vote.
 *
 * <p>The codeword is the whole message repeated {@code r} times (copy {@code j} of bit {@code i}
 * sits at {@code j n + i}), so the copies of one bit are {@code n} positions apart and fall into
 * different fading blocks when {@code n} exceeds the coherence length. Majority decoding corrects
 * up to {@code (r - 1) / 2} flipped copies per bit. {@code r = 1} is no coding.
 */
public final class RepetitionCode implements ChannelCode {
    private final int r;

    private RepetitionCode(int r) {
        this.r = r;
    }

    /** The repetition code with {@code r} copies, {@code r} odd and {@code >= 1}. */
    public static RepetitionCode of(int r) {
        if (r < 1 || r % 2 == 0) {
            throw new IllegalArgumentException("repetition factor must be odd and >= 1, got " + r);
        }
        return new RepetitionCode(r);
    }

    /** Copies per bit {@code r}. */
    public int repetitions() {
        return r;
    }

    @Override
    public boolean[] encode(boolean[] message) {
        Objects.requireNonNull(message, "message");
        int n = message.length;
        if ((long) n * r > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n + " bits repeated " + r + " times exceed one bit array");
        }
        if (r == 1) {
            return message.clone();
        }
        boolean[] out = new boolean[n * r];
        for (int j = 0; j < r; j++) {
            System.arraycopy(message, 0, out, j * n, n);
        }
        return out;
    }

    @Override
    public boolean[] decode(boolean[] received, int messageLength) {
        Objects.requireNonNull(received, "received");
        if (messageLength < 0 || received.length != codedLength(messageLength)) {
            throw new IllegalArgumentException(received.length + " coded bits do not match a " + messageLength
                    + "-bit message at rate 1/" + r);
        }
        if (r == 1) {
            return received.clone();
        }
        boolean[] out = new boolean[messageLength];
        for (int i = 0; i < messageLength; i++) {
            int ones = 0;
            for (int j = 0; j < r; j++) {
                ones += received[j * messageLength + i] ? 1 : 0;
            }
            out[i] = 2 * ones > r;
        }
        return out;
    }

    @Override
    public long codedLength(long messageLength) {
        return messageLength * r;
    }

    @Override
    public double rate() {
        return 1.0 / r;
    }

    @Override
    public String toString() {
        return r == 1 ? "uncoded" : "repetition 1/" + r;
    }
}
