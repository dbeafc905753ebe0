package org.meg.channel;

import java.util.Objects;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Additive white Gaussian noise {@code y = x + n} at a fixed SNR.
 *
 * <p>{@link Convention#STANDARD} (communications): the SNR in dB is {@code Es/N0} per complex
 * channel use, with {@code Es} the block's measured mean energy per symbol, padding included.
 * That is the same as normalising the block to unit average power, adding {@code n ~ CN(0, 1/snr)}
 * and scaling back; {@code n_k ~ CN(0, N0)} has variance {@code N0/2} per real dimension with
 * {@code N0 = Es / snr}.
 *
 * <p>{@link Convention#SEMCOM_PER_ELEMENT} (semantic-communication code): each real element gets
 * {@code N(0, P / snr)} with {@code P} the measured mean power of the real block (padding not
 * counted), and nothing is normalised. For an even-length block both conventions give the same
 * variance per real element ({@code Es/(2 snr) = P/snr}) and, for one seed, the same noise draws;
 * they differ only in how an odd block's padding enters the power.
 *
 * <p>An all-zero block has zero power and therefore receives no noise under either convention.
 */
public final class AwgnChannel implements Channel {
    /** How the noise variance is tied to the block. */
    public enum Convention {
        /** {@code N0 = Es / snr} per complex symbol, i.e. unit-power normalised Es/N0. */
        STANDARD,
        /** Variance {@code P / snr} per real element, {@code P} the real block's mean power. */
        SEMCOM_PER_ELEMENT
    }

    private final double snrDb;
    private final double snr;
    private final Convention convention;

    private AwgnChannel(double snrDb, Convention convention) {
        this.snrDb = snrDb;
        this.snr = Snr.dbToLinear(snrDb);
        this.convention = convention;
    }

    /** AWGN at {@code esN0Db} = Es/N0 per complex channel use, {@link Convention#STANDARD}. */
    public static AwgnChannel of(double esN0Db) {
        return of(esN0Db, Convention.STANDARD);
    }

    /** AWGN at {@code snrDb} under the given convention. */
    public static AwgnChannel of(double snrDb, Convention convention) {
        Snr.requireFinite(snrDb, "SNR in dB");
        return new AwgnChannel(snrDb, Objects.requireNonNull(convention, "convention"));
    }

    /** The SNR in dB. */
    public double snrDb() {
        return snrDb;
    }

    /** The SNR as a linear power ratio {@code 10^(dB/10)}. */
    public double snrLinear() {
        return snr;
    }

    /** The convention tying the noise to the block. */
    public Convention convention() {
        return convention;
    }

    /**
     * Complex noise variance {@code N0} block {@code x} receives: {@code Es / snr} (STANDARD) or
     * {@code 2 P / snr} (SEMCOM_PER_ELEMENT, i.e. {@code P / snr} per real element).
     */
    public double noiseVariance(ComplexSymbols x) {
        return convention == Convention.STANDARD
                ? x.averagePower() / snr
                : 2.0 * x.meanRealPower() / snr;
    }

    @Override
    public AwgnNoise realise(int symbols, RandomGenerator rng) {
        return AwgnNoise.draw(this, symbols, rng);
    }

    @Override
    public String toString() {
        return "AWGN " + snrDb + " dB (" + convention + ")";
    }
}
