package org.meg.cli;

import java.util.Locale;
import org.meg.channel.AwgnChannel;
import org.meg.channel.Modulation;
import org.meg.protocol.LinkSettings;
import org.meg.protocol.RunSettings;
import org.meg.protocol.Selector;
import picocli.CommandLine.Option;

/** Channel and run options shared by run, compare and sweep. */
final class ChannelArgs {
    @Option(names = "--transport", defaultValue = "analog", description = "analog or digital (default ${DEFAULT-VALUE})")
    String transport;
    @Option(names = "--bits", defaultValue = "8", description = "bits per transmitted value, 1..16 (default ${DEFAULT-VALUE})")
    int bits;
    @Option(names = "--modulation", defaultValue = "qpsk", description = "digital: bpsk, qpsk or qam16 (default ${DEFAULT-VALUE})")
    String modulation;
    @Option(names = "--repetition", defaultValue = "1", description = "digital: odd repetition factor (default ${DEFAULT-VALUE})")
    int repetition;
    @Option(names = "--fading-block", defaultValue = "0", description = "Rayleigh block fading over blocks of this many symbols; 0 = AWGN only")
    int fadingBlock;
    @Option(names = "--convention", defaultValue = "standard", description = "AWGN convention: standard (Es/N0 per complex use) or semcom (per-element, as published MEG code)")
    String convention;
    @Option(names = "--bandwidth", defaultValue = "1e6", description = "channel bandwidth in Hz for the latency model (default ${DEFAULT-VALUE})")
    double bandwidth;
    @Option(names = "--snr-matched", description = "receivers treat channel noise on a seed as diffusion noise and denoise it")
    boolean snrMatched;
    @Option(names = "--select", defaultValue = "0", description = "which ES's candidate the UE picks, 0-based (default ${DEFAULT-VALUE})")
    int select;
    @Option(names = "--seed-halo", defaultValue = "2", description = "overlap of split seeds, latent columns (default ${DEFAULT-VALUE})")
    int seedHalo;
    @Option(names = "--image-halo", defaultValue = "16", description = "overlap of split images, pixels, multiple of 8 (default ${DEFAULT-VALUE})")
    int imageHalo;

    LinkSettings link(double snrDb) {
        LinkSettings.Mode mode = switch (transport.toLowerCase(Locale.ROOT)) {
            case "analog" -> LinkSettings.Mode.ANALOG;
            case "digital" -> LinkSettings.Mode.DIGITAL;
            default -> throw new IllegalArgumentException("--transport must be analog or digital, got " + transport);
        };
        Modulation m = switch (modulation.toLowerCase(Locale.ROOT)) {
            case "bpsk" -> Modulation.BPSK;
            case "qpsk" -> Modulation.QPSK;
            case "qam16", "16qam", "16-qam" -> Modulation.QAM16;
            default -> throw new IllegalArgumentException("--modulation must be bpsk, qpsk or qam16, got " + modulation);
        };
        AwgnChannel.Convention c = switch (convention.toLowerCase(Locale.ROOT)) {
            case "standard" -> AwgnChannel.Convention.STANDARD;
            case "semcom" -> AwgnChannel.Convention.SEMCOM_PER_ELEMENT;
            default -> throw new IllegalArgumentException("--convention must be standard or semcom, got " + convention);
        };
        return new LinkSettings(mode, bits, m, repetition, snrDb, c, fadingBlock, bandwidth);
    }

    RunSettings settings(long seed, double snrDb) {
        return new RunSettings(seed, link(snrDb), false, snrMatched, seedHalo, imageHalo, true, Selector.index(select));
    }
}
