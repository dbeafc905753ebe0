package org.meg.protocol.stage;

import org.meg.io.Images;
import org.meg.sampling.DdimSampler;
import org.meg.sampling.DdimScheduler;
import org.meg.sampling.NoiseSource;
import org.meg.sampling.StableDiffusion;
import org.meg.sampling.StepListener;
import org.meg.sampling.Timesteps;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stages on a latent diffusion model with a node's settings.
 *
 * <p>SNR-matched start (channel noise as diffusion noise): a received seed is
 * {@code y = x0 + sigma n} with {@code sigma^2 = channelVariance}. At a timestep t with
 * {@code alphaBar_t (1 + sigma^2) <= 1},
 * {@code x_t = sqrt(alphaBar_t) y + sqrt(1 - alphaBar_t (1 + sigma^2)) eps} has exactly the
 * diffusion marginal {@code sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps'}; the sampler then
 * runs the remaining steps. The start is the later of the stage's own start and the first sampled
 * timestep noisy enough to hide the channel noise.
 */
public final class ModelStages implements Stages {
    private final StableDiffusion model;
    private final StageSettings settings;
    private final StepListener listener;

    private ModelStages(StableDiffusion model, StageSettings settings, StepListener listener) {
        this.model = model;
        this.settings = settings;
        this.listener = listener;
    }

    /** Stages of {@code model} run with {@code settings}. */
    public static ModelStages of(StableDiffusion model, StageSettings settings) {
        return new ModelStages(model, settings, StepListener.NONE);
    }

    /** The same, telling {@code listener} after every denoising step (progress bars). */
    public static ModelStages of(StableDiffusion model, StageSettings settings, StepListener listener) {
        return new ModelStages(model, settings, listener);
    }

    /** The node's settings. */
    public StageSettings settings() {
        return settings;
    }

    @Override
    public INDArray encode(INDArray image, NoiseSource noise) {
        return model.encode(image, noise);
    }

    @Override
    public INDArray denoise(INDArray seed, String prompt, NoiseSource noise, double channelVariance) {
        Timesteps ts = model.scheduler().timesteps(settings.steps()).forStrength(settings.strength());
        return finish(seed, ts, prompt, noise, channelVariance);
    }

    @Override
    public INDArray decode(INDArray seed, String prompt, NoiseSource noise, double channelVariance) {
        if (channelVariance <= 0) {
            return model.decode(seed);
        }
        Timesteps none = model.scheduler().timesteps(settings.steps()).forStrength(0.0);
        return model.decode(finish(seed, none, prompt, noise, channelVariance));
    }

    @Override
    public INDArray sketch(INDArray image, String prompt, NoiseSource noise) {
        INDArray full = model.decode(denoise(encode(image, noise), prompt, noise, 0.0));
        return Images.downsample(full, settings.sketchFactor());
    }

    @Override
    public INDArray complete(INDArray sketch, String prompt, NoiseSource noise) {
        int f = settings.sketchFactor();
        INDArray up = Images.resizeBilinear(sketch, (int) sketch.size(2) * f, (int) sketch.size(3) * f);
        INDArray seed = model.encode(up, noise);
        Timesteps ts = model.scheduler().timesteps(settings.steps()).forStrength(settings.completeStrength());
        return model.decode(finish(seed, ts, prompt, noise, 0.0));
    }

    /**
     * Noises {@code seed} to the start timestep and denoises to the end.
     * <ol>
     * <li>start = max(ts[0], first sampled t with alphaBar_t (1 + sigma^2) &lt;= 1)</li>
     * <li>x_start = sqrt(a) seed + sqrt(1 - a (1 + sigma^2)) noise</li>
     * <li>DDIM with guidance from start</li>
     * </ol>
     */
    private INDArray finish(INDArray seed, Timesteps ts, String prompt, NoiseSource noise, double sigma2) {
        DdimScheduler sch = model.scheduler();
        Timesteps all = sch.timesteps(settings.steps());
        Timesteps run = ts;
        if (sigma2 > 0) {
            int k = all.size() - 1;
            while (k > 0 && sch.schedule().alphaCumprod(all.get(k)) * (1 + sigma2) > 1) {
                k--;
            }
            // all is descending: k is the latest (least noisy) step whose noise covers the channel's
            if (run.size() == 0 || all.get(k) > run.get(0)) {
                run = all.startingAt(all.get(k));
            }
        }
        if (run.size() == 0) {
            return seed;
        }
        float a = sch.schedule().alphaCumprod(run.get(0));
        double extra = Math.max(0.0, 1.0 - a * (1.0 + sigma2));
        INDArray x = seed.mul((float) Math.sqrt(a)).addi(noise.normal("noise", seed.shape()).muli((float) Math.sqrt(extra)));
        DdimSampler.Guidance g = model.guidance(prompt == null ? "" : prompt, settings.negativePrompt(), settings.guidance());
        return model.sampler().denoise(x, run, g, settings.eta(), noise, listener);
    }
}
