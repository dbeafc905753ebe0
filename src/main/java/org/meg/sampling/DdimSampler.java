package org.meg.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The denoising loop: DDIM steps on a noise predictor with classifier-free guidance
 * (Ho &amp; Salimans 2022): {@code eps = eps_u + g (eps_c - eps_u)}, batch order [uncond, cond]
 * as diffusers runs it. Starts from any state x_t, so a receiver can also finish a latent that
 * arrived through a noisy channel.
 */
public final class DdimSampler {
    private final DdimScheduler scheduler;
    private final NoisePredictor model;

    private DdimSampler(DdimScheduler scheduler, NoisePredictor model) {
        this.scheduler = scheduler;
        this.model = model;
    }

    /** A sampler of {@code model} with {@code scheduler}. */
    public static DdimSampler of(DdimScheduler scheduler, NoisePredictor model) {
        return new DdimSampler(scheduler, model);
    }

    /** The scheduler. */
    public DdimScheduler scheduler() {
        return scheduler;
    }

    /**
     * Text conditioning for guidance.
     *
     * @param cond   [B, 77, C] prompt embedding
     * @param uncond [B, 77, C] negative-prompt embedding, or null for no guidance
     * @param scale  guidance scale g; guidance runs only when g &gt; 1 and uncond is given
     */
    public record Guidance(INDArray cond, INDArray uncond, double scale) {
        /** Validates the scale. */
        public Guidance {
            if (!Double.isFinite(scale) || scale < 0) {
                throw new IllegalArgumentException("guidance scale must be finite and >= 0, got " + scale);
            }
        }

        boolean guided() {
            return uncond != null && scale > 1.0;
        }
    }

    /** Guided noise prediction at one timestep (two U-Net evaluations as one batch of 2B). */
    public INDArray guidedNoise(INDArray latents, int t, Guidance g) {
        if (!g.guided()) {
            return model.predict(latents, t, g.cond());
        }
        long b = latents.size(0);
        INDArray both = model.predict(Nd4j.concat(0, latents, latents), t, Nd4j.concat(0, g.uncond(), g.cond()));
        INDArray u = both.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, b));
        INDArray c = both.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(b, 2 * b));
        return u.add(c.sub(u).muli(g.scale()));
    }

    /**
     * Runs the steps of {@code ts} from {@code latents} (the state at {@code ts.get(0)}).
     * <ol>
     * <li>for each t: eps = guided prediction at x_t</li>
     * <li>x_{t - T/n} = DDIM step (with eta-noise {@code stepNN.variance_noise} if eta &gt; 0)</li>
     * <li>tell the listener</li>
     * </ol>
     */
    public INDArray denoise(INDArray latents, Timesteps ts, Guidance g, double eta, NoiseSource noise,
                            StepListener listener) {
        INDArray x = latents;
        for (int k = 0; k < ts.size(); k++) {
            int t = ts.get(k);
            INDArray eps = guidedNoise(x, t, g);
            INDArray z = eta > 0 ? noise.normal(String.format("step%02d.variance_noise", k), x.shape()) : null;
            x = scheduler.step(eps, t, ts.prev(t), x, eta, z).prevSample();
            listener.afterStep(k, ts.size(), t, x);
        }
        model.release();
        return x;
    }
}
