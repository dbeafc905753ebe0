package org.meg.protocol;

/**
 * Everything a protocol run needs besides the network and the request.
 *
 * @param seed       the run's seed: generation noise and channel draws derive from it by name
 * @param link       how tensors cross the air
 * @param perfect    replace every channel by an ideal one (the reference run)
 * @param snrMatched receivers of a seed treat the channel noise as diffusion noise and finish it
 * @param seedHalo   halo of a split seed, in latent columns
 * @param imageHalo  halo of a split image, in pixels (a multiple of 8)
 * @param broadcast  a UE-to-every-ES send is one broadcast transmission in the ledger
 * @param selector   picks among candidates
 */
public record RunSettings(long seed, LinkSettings link, boolean perfect, boolean snrMatched, int seedHalo,
                          int imageHalo, boolean broadcast, Selector selector) {
    /** Validates. */
    public RunSettings {
        if (seedHalo < 0 || imageHalo < 0 || imageHalo % 8 != 0) {
            throw new IllegalArgumentException("halos must be >= 0 and the image halo a multiple of 8, got "
                    + seedHalo + ", " + imageHalo);
        }
        if (link == null || selector == null) {
            throw new IllegalArgumentException("link and selector are required");
        }
    }

    /** Defaults: analog AWGN at {@code snrDb}, halos of 2 latent columns / 16 pixels, broadcast, first candidate. */
    public static RunSettings of(long seed, double snrDb) {
        return new RunSettings(seed, LinkSettings.analog(snrDb), false, false, 2, 16, true, Selector.first());
    }

    /** The same run over perfect channels. */
    public RunSettings perfectChannel() {
        return new RunSettings(seed, link, true, snrMatched, seedHalo, imageHalo, broadcast, selector);
    }

    /** A copy with another link. */
    public RunSettings withLink(LinkSettings l) {
        return new RunSettings(seed, l, perfect, snrMatched, seedHalo, imageHalo, broadcast, selector);
    }

    /** A copy with SNR-matched denoising on or off. */
    public RunSettings withSnrMatched(boolean on) {
        return new RunSettings(seed, link, perfect, on, seedHalo, imageHalo, broadcast, selector);
    }

    /** A copy with another seed. */
    public RunSettings withSeed(long s) {
        return new RunSettings(s, link, perfect, snrMatched, seedHalo, imageHalo, broadcast, selector);
    }
}
