package org.meg.sampling;

import java.util.function.Function;
import org.meg.vae.LatentCodec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Text-to-image and text-guided image-to-image, as diffusers' StableDiffusion(Img2Img)Pipeline
 * (v0.21.4) runs them with DDIM. Every random draw comes from the caller's {@link NoiseSource}.
 */
public final class StableDiffusion {
    private final Function<String, INDArray> textEncoder;
    private final NoisePredictor unet;
    private final LatentCodec codec;
    private final DdimScheduler scheduler;

    private StableDiffusion(Function<String, INDArray> textEncoder, NoisePredictor unet, LatentCodec codec,
                            DdimScheduler scheduler) {
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.codec = codec;
        this.scheduler = scheduler;
    }

    /**
     * A pipeline from its parts.
     *
     * @param textEncoder prompt to [1, 77, C] last hidden state (tokenizer + CLIP encoder)
     */
    public static StableDiffusion of(Function<String, INDArray> textEncoder, NoisePredictor unet,
                                     LatentCodec codec, DdimScheduler scheduler) {
        return new StableDiffusion(textEncoder, unet, codec, scheduler);
    }

    /** The image codec. */
    public LatentCodec codec() {
        return codec;
    }

    /** The scheduler. */
    public DdimScheduler scheduler() {
        return scheduler;
    }

    /** A sampler over this pipeline's U-Net. */
    public DdimSampler sampler() {
        return DdimSampler.of(scheduler, unet);
    }

    /** Prompt and negative prompt as guidance conditioning. */
    public DdimSampler.Guidance guidance(String prompt, String negativePrompt, double scale) {
        INDArray cond = textEncoder.apply(prompt);
        INDArray uncond = scale > 1.0 ? textEncoder.apply(negativePrompt == null ? "" : negativePrompt) : null;
        return new DdimSampler.Guidance(cond, uncond, scale);
    }

    /** Image [B, 3, H, W] in [-1, 1] to scaled latents, the posterior sample drawn as {@code posterior_eps}. */
    public INDArray encode(INDArray image, NoiseSource noise) {
        if (image.rank() != 4 || image.size(1) != 3) {
            throw new IllegalArgumentException("image must be [B, 3, H, W], got " + java.util.Arrays.toString(image.shape()));
        }
        int f = codec.downFactor();
        if (image.size(2) % f != 0 || image.size(3) % f != 0) {
            throw new IllegalArgumentException("image size " + image.size(3) + "x" + image.size(2)
                    + " (WxH) is not a multiple of " + f);
        }
        INDArray eps = noise.normal("posterior_eps", image.size(0), codec.latentChannels(), image.size(2) / f, image.size(3) / f);
        return codec.encodeScaled(image, eps);
    }

    /** Scaled latents to an image in about [-1, 1] (not clamped). */
    public INDArray decode(INDArray latents) {
        return codec.decodeScaled(latents);
    }

    /** What a generation produced. */
    public record Result(INDArray latents, INDArray image, Timesteps timesteps) {
    }

    /**
     * Image-to-image.
     * <ol>
     * <li>timesteps = DDIM(steps)[n - min(int(n * strength), n):]</li>
     * <li>x_0 = codec.encode(image) (posterior sample with {@code posterior_eps})</li>
     * <li>x_t = add_noise(x_0, {@code noise}, timesteps[0])</li>
     * <li>denoise with guidance, then decode</li>
     * </ol>
     *
     * @param image [1, 3, H, W] in [-1, 1], H and W multiples of 8
     */
    public Result img2img(String prompt, String negativePrompt, INDArray image, double strength, int steps,
                          double guidanceScale, double eta, NoiseSource noise, StepListener listener) {
        Timesteps ts = scheduler.timesteps(steps).forStrength(strength);
        DdimSampler.Guidance g = guidance(prompt, negativePrompt, guidanceScale);
        INDArray init = encode(image, noise);
        if (ts.size() == 0) {
            return new Result(init, codec.decodeScaled(init), ts);
        }
        INDArray x = scheduler.addNoise(init, noise.normal("noise", init.shape()), ts.get(0));
        INDArray out = sampler().denoise(x, ts, g, eta, noise, listener);
        return new Result(out, codec.decodeScaled(out), ts);
    }

    /**
     * Text-to-image from {@code initial_latents} ~ N(0, I) of shape [1, 4, H/8, W/8]
     * (DDIM's init_noise_sigma is 1).
     */
    public Result txt2img(String prompt, String negativePrompt, int height, int width, int steps,
                          double guidanceScale, double eta, NoiseSource noise, StepListener listener) {
        if (height <= 0 || width <= 0 || height % 8 != 0 || width % 8 != 0) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " must be positive multiples of 8");
        }
        Timesteps ts = scheduler.timesteps(steps);
        DdimSampler.Guidance g = guidance(prompt, negativePrompt, guidanceScale);
        INDArray x = noise.normal("initial_latents", 1, 4, height / 8, width / 8);
        INDArray out = sampler().denoise(x, ts, g, eta, noise, listener);
        return new Result(out, codec.decodeScaled(out), ts);
    }
}
