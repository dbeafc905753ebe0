package org.meg.channel;

import org.apache.commons.math3.random.RandomGenerator;

/**
 * A wireless channel as two small steps: {@link #realise} draws the random state of one block
 * (noise, fading) from an injected generator, and {@link ChannelRealisation#apply} applies it.
 */
public interface Channel {
    /** Draws the random state for a block of {@code symbols} complex channel uses. */
    ChannelRealisation realise(int symbols, RandomGenerator rng);

    /** Sends {@code x} through a fresh realisation: {@code realise(x.size(), rng).apply(x)}. */
    default ComplexSymbols transmit(ComplexSymbols x, RandomGenerator rng) {
        return realise(x.size(), rng).apply(x);
    }
}
