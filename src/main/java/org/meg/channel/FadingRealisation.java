package org.meg.channel;

/** One draw of {@link RayleighBlockFading}: a coefficient per block plus the AWGN noise. */
public final class FadingRealisation implements ChannelRealisation {
    private final double[] hr;
    private final double[] hi;
    private final int blockLength;
    private final AwgnNoise noise;

    FadingRealisation(double[] hr, double[] hi, int blockLength, AwgnNoise noise) {
        this.hr = hr;
        this.hi = hi;
        this.blockLength = blockLength;
        this.noise = noise;
    }

    @Override
    public int size() {
        return noise.size();
    }

    /** Number of fading blocks {@code ceil(m / L)}. */
    public int blocks() {
        return hr.length;
    }

    /** Real part of {@code h_b}. */
    public double coefficientRe(int block) {
        return hr[block];
    }

    /** Imaginary part of {@code h_b}. */
    public double coefficientIm(int block) {
        return hi[block];
    }

    /** What the antenna sees, before equalisation: {@code y_k = h_b x_k + n_k}, {@code b = k / L}. */
    public ComplexSymbols receive(ComplexSymbols x) {
        ComplexSymbols n = noise.noiseFor(x);
        int m = size();
        double[] yr = new double[m];
        double[] yi = new double[m];
        for (int k = 0; k < m; k++) {
            int b = k / blockLength;
            yr[k] = hr[b] * x.re(k) - hi[b] * x.im(k) + n.re(k);
            yi[k] = hr[b] * x.im(k) + hi[b] * x.re(k) + n.im(k);
        }
        return ComplexSymbols.wrap(yr, yi, x.realLength());
    }

    /** Zero-forcing with perfect CSI: {@code y_k / h_b = x_k + n_k / h_b}. */
    @Override
    public ComplexSymbols apply(ComplexSymbols x) {
        ComplexSymbols y = receive(x);
        int m = size();
        double[] er = new double[m];
        double[] ei = new double[m];
        for (int k = 0; k < m; k++) {
            int b = k / blockLength;
            double g = hr[b] * hr[b] + hi[b] * hi[b];
            // y / h = y conj(h) / |h|^2
            er[k] = (y.re(k) * hr[b] + y.im(k) * hi[b]) / g;
            ei[k] = (y.im(k) * hr[b] - y.re(k) * hi[b]) / g;
        }
        return ComplexSymbols.wrap(er, ei, x.realLength());
    }
}
