package org.meg.channel;

import java.util.Objects;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * One AWGN realisation: standard normal draws {@code z_k = zr_k + j zi_k} (variance 1 per real
 * dimension), drawn in the order {@code zr_0, zi_0, zr_1, zi_1, ...}. Applying it to a block
 * scales them to that block's noise variance: {@code n_k = sqrt(N0 / 2) z_k}, see
 * {@link AwgnChannel#noiseVariance}.
 */
public final class AwgnNoise implements ChannelRealisation {
    private final AwgnChannel channel;
    private final double[] zr;
    private final double[] zi;

    private AwgnNoise(AwgnChannel channel, double[] zr, double[] zi) {
        this.channel = channel;
        this.zr = zr;
        this.zi = zi;
    }

    /** Draws {@code 2 symbols} standard normals from {@code rng} for {@code channel}. */
    static AwgnNoise draw(AwgnChannel channel, int symbols, RandomGenerator rng) {
        PerfectChannel.requirePositive(symbols);
        Objects.requireNonNull(rng, "rng");
        double[] zr = new double[symbols];
        double[] zi = new double[symbols];
        for (int k = 0; k < symbols; k++) {
            zr[k] = rng.nextGaussian();
            zi[k] = rng.nextGaussian();
        }
        return new AwgnNoise(channel, zr, zi);
    }

    @Override
    public int size() {
        return zr.length;
    }

    /** The noise {@code n = sqrt(N0(x) / 2) z} this realisation adds to transmitted block {@code x}. */
    public ComplexSymbols noiseFor(ComplexSymbols x) {
        ChannelRealisation.requireSize(x, zr.length);
        double sigma = Math.sqrt(channel.noiseVariance(x) / 2.0);
        double[] nr = new double[zr.length];
        double[] ni = new double[zi.length];
        for (int k = 0; k < zr.length; k++) {
            nr[k] = sigma * zr[k];
            ni[k] = sigma * zi[k];
        }
        return ComplexSymbols.wrap(nr, ni, x.realLength());
    }

    /** {@code y = x + n}. */
    @Override
    public ComplexSymbols apply(ComplexSymbols x) {
        ComplexSymbols n = noiseFor(x);
        double[] yr = new double[zr.length];
        double[] yi = new double[zi.length];
        for (int k = 0; k < zr.length; k++) {
            yr[k] = x.re(k) + n.re(k);
            yi[k] = x.im(k) + n.im(k);
        }
        return ComplexSymbols.wrap(yr, yi, x.realLength());
    }
}
