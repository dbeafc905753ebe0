package org.meg.metrics;

/**
 * The latency model: compute time per node plus transmission time per transfer, composed on a
 * {@link Timeline} (sequential steps add, parallel edge-server branches take the maximum).
 *
 * <ul>
 *   <li>Compute: {@code t = t_measured / speed}, where {@code t_measured} was measured on this
 *       machine and {@code speed} is how many times faster the simulated node is
 *       (e.g. 4 for an edge server, 0.25 for a phone).</li>
 *   <li>Digital transfer at the Shannon rate: {@code t = bits / (B log2(1 + SNR))}, an ideal
 *       capacity-achieving link, so a lower bound for any real code.</li>
 *   <li>Analog transfer: one complex channel use per Hz per second, {@code t = uses / B}.</li>
 * </ul>
 * Queueing, propagation delay and protocol overhead are ignored.
 */
public final class Latency {
    private Latency() {
    }

    /** {@code t_measured / speed} seconds on a node {@code speed} times faster than the measuring machine. */
    public static double computeSeconds(double measuredSeconds, double speed) {
        requireNonNegative(measuredSeconds, "measured seconds");
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("node speed factor must be finite and > 0, got " + speed);
        }
        return measuredSeconds / speed;
    }

    /** Shannon rate {@code R = B log2(1 + SNR)} bits per second, SNR linear. */
    public static double shannonRate(double bandwidthHz, double snrLinear) {
        requirePositive(bandwidthHz, "bandwidth in Hz");
        requireNonNegative(snrLinear, "linear SNR");
        return bandwidthHz * Math.log1p(snrLinear) / Math.log(2.0);
    }

    /** {@code bits / (B log2(1 + 10^(snrDb/10)))} seconds. */
    public static double digitalSeconds(long bits, double bandwidthHz, double snrDb) {
        if (bits < 0) {
            throw new IllegalArgumentException("bits must be >= 0, got " + bits);
        }
        requireFinite(snrDb, "SNR in dB");
        return bits == 0 ? 0.0 : bits / shannonRate(bandwidthHz, Math.pow(10.0, snrDb / 10.0));
    }

    /** {@code uses / B} seconds for {@code uses} complex channel uses. */
    public static double analogSeconds(long channelUses, double bandwidthHz) {
        if (channelUses < 0) {
            throw new IllegalArgumentException("channel uses must be >= 0, got " + channelUses);
        }
        return channelUses / requirePositive(bandwidthHz, "bandwidth in Hz");
    }

    private static double requireFinite(double v, String what) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " must be finite, got " + v);
        }
        return v;
    }

    private static double requirePositive(double v, String what) {
        if (!(requireFinite(v, what) > 0)) {
            throw new IllegalArgumentException(what + " must be > 0, got " + v);
        }
        return v;
    }

    private static double requireNonNegative(double v, String what) {
        if (!(requireFinite(v, what) >= 0)) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + v);
        }
        return v;
    }
}
