package org.meg.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DDIM sampling (Song et al. 2021, eq. 12) as diffusers' {@code DDIMScheduler} configures it for
 * SD 1.x: "leading" timestep spacing with steps_offset 1, set_alpha_to_one false, epsilon
 * prediction, no clipping. Pure: {@link #step} maps inputs to outputs and keeps no state.
 *
 * <table>
 * <caption>code names and the paper's symbols</caption>
 * <tr><th>code</th><th>symbol</th></tr>
 * <tr><td>alphaT</td><td>alpha_t (DDIM) = alphaBar_t (DDPM)</td></tr>
 * <tr><td>alphaPrev</td><td>alpha_{t-1}, at the previous sampled timestep</td></tr>
 * <tr><td>eps</td><td>epsilon_theta(x_t)</td></tr>
 * <tr><td>predOriginal</td><td>"predicted x_0"</td></tr>
 * <tr><td>sigma</td><td>sigma_t(eta)</td></tr>
 * </table>
 */
public final class DdimScheduler {
    /** The two outputs of one step. */
    public record Step(INDArray prevSample, INDArray predOriginal) {
    }

    private final NoiseSchedule schedule;
    private final int stepsOffset;

    private DdimScheduler(NoiseSchedule schedule, int stepsOffset) {
        this.schedule = schedule;
        this.stepsOffset = stepsOffset;
    }

    /** SD 1.5's configuration. */
    public static DdimScheduler sd15() {
        return new DdimScheduler(NoiseSchedule.sd15(), 1);
    }

    /** A scheduler on a given schedule and steps_offset. */
    public static DdimScheduler of(NoiseSchedule schedule, int stepsOffset) {
        return new DdimScheduler(schedule, stepsOffset);
    }

    /** The training schedule. */
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** Timesteps for n inference steps, descending: {@code t_k = (n-1-k) * (T / n) + offset}. */
    public Timesteps timesteps(int n) {
        int train = schedule.trainSteps();
        if (n < 1 || n > train) {
            throw new IllegalArgumentException("inference steps must be in 1.." + train + ", got " + n);
        }
        int ratio = train / n;
        int[] ts = new int[n];
        for (int k = 0; k < n; k++) {
            ts[k] = (n - 1 - k) * ratio + stepsOffset;
        }
        return new Timesteps(ts, ratio);
    }

    /** alphaBar at a sampled previous timestep; below 0 it is alphaBar_0 (set_alpha_to_one=false). */
    public float alphaPrev(int prevT) {
        return schedule.alphaCumprod(Math.max(prevT, 0));
    }

    /**
     * One DDIM step from timestep t to prevT = t - T/n.
     * <ol>
     * <li>x0 = (x_t - sqrt(1 - alphaT) eps) / sqrt(alphaT)</li>
     * <li>sigma = eta sqrt((1 - alphaPrev) / (1 - alphaT)) sqrt(1 - alphaT / alphaPrev)</li>
     * <li>x_prev = sqrt(alphaPrev) x0 + sqrt(1 - alphaPrev - sigma^2) eps + sigma z</li>
     * </ol>
     *
     * @param noise z ~ N(0, I), used only when eta &gt; 0 (may be null when eta == 0)
     */
    public Step step(INDArray eps, int t, int prevT, INDArray sample, double eta, INDArray noise) {
        if (eta < 0 || Double.isNaN(eta)) {
            throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }
        float alphaT = schedule.alphaCumprod(t);
        float alphaPrev = alphaPrev(prevT);
        float betaT = 1f - alphaT;
        // 1. predicted x0 (float32 arithmetic in the order diffusers uses)
        INDArray x0 = sample.sub(eps.mul((float) Math.sqrt(betaT))).divi((float) Math.sqrt(alphaT));
        // 2. sigma_t(eta)
        float variance = (1f - alphaPrev) / betaT * (1f - alphaT / alphaPrev);
        float sigma = (float) (eta * Math.sqrt(variance));
        // 3. direction pointing to x_t, then x_{t-1}
        INDArray dir = eps.mul((float) Math.sqrt(1f - alphaPrev - sigma * sigma));
        INDArray prev = x0.mul((float) Math.sqrt(alphaPrev)).addi(dir);
        if (eta > 0) {
            if (noise == null) {
                throw new IllegalArgumentException("eta > 0 needs a noise tensor");
            }
            prev.addi(noise.mul(sigma));
        }
        return new Step(prev, x0);
    }

    /** Forward diffusion to timestep t: {@code sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) noise}. */
    public INDArray addNoise(INDArray original, INDArray noise, int t) {
        float a = schedule.alphaCumprod(t);
        return original.mul((float) Math.sqrt(a)).addi(noise.mul((float) Math.sqrt(1f - a)));
    }
}
