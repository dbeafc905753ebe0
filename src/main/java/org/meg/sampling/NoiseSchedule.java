package org.meg.sampling;

/**
 * The training noise schedule of SD 1.x: "scaled_linear" betas and their cumulative products.
 *
 * <p>{@code beta_i = (sqrt(b0) + i (sqrt(b1) - sqrt(b0)) / (T - 1))^2}, {@code alpha_i = 1 - beta_i},
 * {@code alphaBar_t = prod_{i<=t} alpha_i} (DDPM eq. 4, Ho et al. 2020). Computed in float32 as
 * diffusers does ({@code torch.linspace(..., dtype=float32) ** 2}, float32 {@code cumprod}), so
 * every timestep uses the very numbers of the reference. Immutable.
 */
public final class NoiseSchedule {
    private final float[] betas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas) {
        this.betas = betas;
        this.alphasCumprod = new float[betas.length];
        float prod = 1f;
        for (int i = 0; i < betas.length; i++) {
            prod *= (1f - betas[i]);
            alphasCumprod[i] = prod;
        }
    }

    /** SD 1.x: scaled-linear from 0.00085 to 0.012 over 1000 steps. */
    public static NoiseSchedule sd15() {
        return scaledLinear(0.00085, 0.012, 1000);
    }

    /** Scaled-linear betas (linear in sqrt(beta)). */
    public static NoiseSchedule scaledLinear(double betaStart, double betaEnd, int steps) {
        if (!(betaStart > 0 && betaEnd > betaStart && betaEnd < 1) || steps < 2) {
            throw new IllegalArgumentException("need 0 < betaStart < betaEnd < 1 and steps >= 2, got "
                    + betaStart + ", " + betaEnd + ", " + steps);
        }
        float s0 = (float) Math.sqrt(betaStart);
        float s1 = (float) Math.sqrt(betaEnd);
        float[] b = new float[steps];
        // torch.linspace (CPU, float32): step = (end - start) / (steps - 1); the first half counts
        // up from start, the second half down from end (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp)
        float step = (s1 - s0) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) {
            float v = i < half ? s0 + step * i : s1 - step * (steps - 1 - i);
            b[i] = v * v;
        }
        return new NoiseSchedule(b);
    }

    /** Number of training timesteps T. */
    public int trainSteps() {
        return betas.length;
    }

    /** beta_t. */
    public float beta(int t) {
        return betas[t];
    }

    /** alphaBar_t, the signal fraction of x_t: {@code x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps}. */
    public float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** A copy of all alphaBar_t. */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /**
     * The timestep whose noise level best matches a signal-to-noise ratio: the t minimising
     * |alphaBar_t / (1 - alphaBar_t) - snr| on a log scale; used to treat a latent received
     * through a noisy channel as a diffusion state.
     */
    public int timestepForSnr(double snrLinear) {
        if (!(snrLinear > 0) || Double.isInfinite(snrLinear)) {
            throw new IllegalArgumentException("SNR must be positive and finite, got " + snrLinear);
        }
        int best = 0;
        double bestErr = Double.POSITIVE_INFINITY;
        double target = Math.log(snrLinear);
        for (int t = 0; t < alphasCumprod.length; t++) {
            double a = alphasCumprod[t];
            double err = Math.abs(Math.log(a / (1 - a)) - target);
            if (err < bestErr) {
                bestErr = err;
                best = t;
            }
        }
        return best;
    }
}
