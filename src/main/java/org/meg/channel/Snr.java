package org.meg.channel;

import org.apache.commons.math3.special.Erf;

/**
 * SNR conversions and the closed forms the channel tests compare against.
 *
 * <p>Symbols: {@code Es} energy per complex symbol, {@code Eb = Es / k} energy per bit for
 * {@code k} bits per symbol, {@code N0} one-sided noise spectral density, so complex noise is
 * CN(0, N0) with variance {@code N0 / 2} per real dimension. All "linear" values are power ratios.
 */
public final class Snr {
    private Snr() {
    }

    /** {@code linear = 10^(dB / 10)}. */
    public static double dbToLinear(double db) {
        return Math.pow(10.0, requireFinite(db, "SNR in dB") / 10.0);
    }

    /** {@code dB = 10 log10(linear)}; needs {@code linear > 0}. */
    public static double linearToDb(double linear) {
        return 10.0 * Math.log10(requirePositive(linear, "linear SNR"));
    }

    /** {@code Eb/N0 = (Es/N0) / k} for {@code k} bits per symbol (linear ratios). */
    public static double ebN0FromEsN0(double esN0, int bitsPerSymbol) {
        return requirePositive(esN0, "Es/N0") / requireBits(bitsPerSymbol);
    }

    /** {@code Es/N0 = k Eb/N0} for {@code k} bits per symbol (linear ratios). */
    public static double esN0FromEbN0(double ebN0, int bitsPerSymbol) {
        return requirePositive(ebN0, "Eb/N0") * requireBits(bitsPerSymbol);
    }

    /** {@code N0 = Es / (Es/N0)}: complex noise variance for symbol energy {@code Es}. */
    public static double noiseVarianceFromEsN0(double symbolEnergy, double esN0) {
        if (!(symbolEnergy >= 0) || Double.isInfinite(symbolEnergy)) {
            throw new IllegalArgumentException("symbol energy must be finite and >= 0, got " + symbolEnergy);
        }
        return symbolEnergy / requirePositive(esN0, "Es/N0");
    }

    /** {@code N0 = Es / 10^(dB/10)}: complex noise variance for symbol energy {@code Es} at {@code esN0Db}. */
    public static double noiseVarianceFromEsN0Db(double symbolEnergy, double esN0Db) {
        return noiseVarianceFromEsN0(symbolEnergy, dbToLinear(esN0Db));
    }

    /** Gaussian tail {@code Q(x) = P(Z > x) = erfc(x / sqrt 2) / 2}. */
    public static double qFunction(double x) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("Q-function argument is NaN");
        }
        return 0.5 * Erf.erfc(x / Math.sqrt(2.0));
    }

    /** Uncoded BPSK (and Gray QPSK) bit error rate on AWGN: {@code Q(sqrt(2 Eb/N0))}. */
    public static double bpskBer(double ebN0) {
        return qFunction(Math.sqrt(2.0 * requireNonNegative(ebN0, "Eb/N0")));
    }

    /** Shannon capacity of a complex AWGN channel use: {@code C = log2(1 + SNR)} bits. */
    public static double shannonCapacity(double snr) {
        return Math.log1p(requireNonNegative(snr, "linear SNR")) / Math.log(2.0);
    }

    /** Returns {@code value}, or throws naming it when it is NaN or infinite. */
    static double requireFinite(double value, String what) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be finite, got " + value);
        }
        return value;
    }

    private static double requirePositive(double value, String what) {
        if (!(requireFinite(value, what) > 0)) {
            throw new IllegalArgumentException(what + " must be > 0, got " + value);
        }
        return value;
    }

    private static double requireNonNegative(double value, String what) {
        if (!(requireFinite(value, what) >= 0)) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + value);
        }
        return value;
    }

    private static int requireBits(int bitsPerSymbol) {
        if (bitsPerSymbol < 1) {
            throw new IllegalArgumentException("bits per symbol must be >= 1, got " + bitsPerSymbol);
        }
        return bitsPerSymbol;
    }
}
