package org.meg.protocol;

import org.meg.channel.AnalogTransport;
import org.meg.channel.AwgnChannel;
import org.meg.channel.Channel;
import org.meg.channel.ChannelCode;
import org.meg.channel.DigitalTransport;
import org.meg.channel.Modulation;
import org.meg.channel.PerfectChannel;
import org.meg.channel.RayleighBlockFading;
import org.meg.channel.RepetitionCode;
import org.meg.channel.Transport;
import org.meg.channel.UniformQuantizer;

/**
 * How every tensor crosses the air in a run.
 *
 * @param mode        ANALOG (normalised values are the symbols) or DIGITAL (quantise, map, decide)
 * @param bits        bits per value: the quantiser's resolution, and the ledger's payload size
 *                    ({@code values x bits}) in both modes, as the paper counts 8-bit images and seeds
 * @param modulation  DIGITAL only
 * @param repetition  DIGITAL only: odd repetition factor, 1 = uncoded
 * @param snrDb       Es/N0 per complex channel use, in dB
 * @param convention  AWGN convention (standard, or the semantic-communication per-element one)
 * @param fadingBlock 0 for AWGN; otherwise Rayleigh block fading over blocks of this many symbols
 * @param bandwidthHz for the latency model: symbols per second (analog), Shannon rate (digital)
 */
public record LinkSettings(Mode mode, int bits, Modulation modulation, int repetition, double snrDb,
                           AwgnChannel.Convention convention, int fadingBlock, double bandwidthHz) {
    /** Analog or digital transmission of tensors. */
    public enum Mode { ANALOG, DIGITAL }

    /** Validates, naming the bad field. */
    public LinkSettings {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits per value must be in 1..16, got " + bits);
        }
        if (!Double.isFinite(snrDb)) {
            throw new IllegalArgumentException("SNR must be a finite number of dB, got " + snrDb);
        }
        if (repetition < 1 || repetition % 2 == 0) {
            throw new IllegalArgumentException("repetition factor must be odd and >= 1, got " + repetition);
        }
        if (fadingBlock < 0) {
            throw new IllegalArgumentException("fading block length must be >= 0, got " + fadingBlock);
        }
        if (!(bandwidthHz > 0) || Double.isInfinite(bandwidthHz)) {
            throw new IllegalArgumentException("bandwidth must be positive and finite, got " + bandwidthHz);
        }
    }

    /** The paper's case study: analog AWGN at the given SNR, 8-bit accounting, 1 MHz. */
    public static LinkSettings analog(double snrDb) {
        return new LinkSettings(Mode.ANALOG, 8, Modulation.QPSK, 1, snrDb, AwgnChannel.Convention.STANDARD, 0, 1e6);
    }

    /** Uncoded digital at b bits per value. */
    public static LinkSettings digital(double snrDb, int bits, Modulation modulation) {
        return new LinkSettings(Mode.DIGITAL, bits, modulation, 1, snrDb, AwgnChannel.Convention.STANDARD, 0, 1e6);
    }

    /** A copy at another SNR. */
    public LinkSettings withSnrDb(double db) {
        return new LinkSettings(mode, bits, modulation, repetition, db, convention, fadingBlock, bandwidthHz);
    }

    /** The transport for one transfer; {@code perfect} replaces the channel by an ideal one. */
    public Transport transport(boolean perfect) {
        Channel ch;
        if (perfect) {
            ch = PerfectChannel.of();
        } else {
            AwgnChannel awgn = AwgnChannel.of(snrDb, convention);
            ch = fadingBlock > 0 ? RayleighBlockFading.of(awgn, fadingBlock) : awgn;
        }
        if (mode == Mode.ANALOG) {
            return AnalogTransport.of(ch);
        }
        ChannelCode code = repetition == 1 ? ChannelCode.none() : RepetitionCode.of(repetition);
        return DigitalTransport.of(UniformQuantizer.of(bits), code, modulation, ch);
    }

    /** One line for reports. */
    public String describe() {
        String ch = (fadingBlock > 0 ? "Rayleigh block fading (" + fadingBlock + " symbols) + AWGN" : "AWGN")
                + String.format(" at %.1f dB (%s)", snrDb, convention);
        return mode == Mode.ANALOG ? "analog, " + ch
                : "digital " + bits + "-bit " + modulation + (repetition > 1 ? " x" + repetition + " repetition" : "")
                + ", " + ch;
    }
}
