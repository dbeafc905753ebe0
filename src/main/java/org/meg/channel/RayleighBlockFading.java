package org.meg.channel;

import java.util.Objects;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Rayleigh block fading over AWGN: symbols are grouped into blocks of {@code L} consecutive
 * channel uses; block {@code b} gets one coefficient {@code h_b ~ CN(0, 1)} and the channel gives
 * {@code y_k = h_b x_k + n_k}, with {@code n} from the wrapped {@link AwgnChannel} (its variance is
 * set by the transmitted block, so the average received SNR is {@code E|h|^2 Es/N0 = snr}).
 *
 * <p>The receiver is assumed to know every {@code h_b} exactly (perfect CSI) and equalises by
 * zero-forcing, so {@link FadingRealisation#apply} returns {@code y_k / h_b = x_k + n_k / h_b}: the
 * noise is amplified in deep fades. Draw order: all coefficients first, then the AWGN noise.
 */
public final class RayleighBlockFading implements Channel {
    private final AwgnChannel awgn;
    private final int blockLength;

    private RayleighBlockFading(AwgnChannel awgn, int blockLength) {
        this.awgn = awgn;
        this.blockLength = blockLength;
    }

    /** Block fading with coherence length {@code blockLength} symbols over {@code awgn}. */
    public static RayleighBlockFading of(AwgnChannel awgn, int blockLength) {
        Objects.requireNonNull(awgn, "awgn");
        if (blockLength < 1) {
            throw new IllegalArgumentException("fading block length must be >= 1, got " + blockLength);
        }
        return new RayleighBlockFading(awgn, blockLength);
    }

    /** Symbols sharing one coefficient. */
    public int blockLength() {
        return blockLength;
    }

    /** The AWGN channel underneath. */
    public AwgnChannel awgn() {
        return awgn;
    }

    @Override
    public FadingRealisation realise(int symbols, RandomGenerator rng) {
        PerfectChannel.requirePositive(symbols);
        Objects.requireNonNull(rng, "rng");
        int blocks = (symbols + blockLength - 1) / blockLength;
        double[] hr = new double[blocks];
        double[] hi = new double[blocks];
        double s = Math.sqrt(0.5);  // CN(0, 1): variance 1/2 per real dimension
        for (int b = 0; b < blocks; b++) {
            hr[b] = s * rng.nextGaussian();
            hi[b] = s * rng.nextGaussian();
        }
        return new FadingRealisation(hr, hi, blockLength, awgn.realise(symbols, rng));
    }

    @Override
    public String toString() {
        return "Rayleigh block fading L=" + blockLength + " over " + awgn;
    }
}
