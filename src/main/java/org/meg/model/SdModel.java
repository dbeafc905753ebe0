package org.meg.model;

import org.meg.sampling.DdimScheduler;
import org.meg.sampling.NoisePredictor;
import org.meg.sampling.StableDiffusion;
import org.meg.text.ClipTextEncoder;
import org.meg.text.ClipTokenizer;
import org.meg.unet.UNet;
import org.meg.vae.LatentCodec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loaded Stable Diffusion 1.x model: tokenizer, text encoder, U-Net, image codec, scheduler.
 *
 * @param name        where it came from, for reports
 * @param tokenizer   CLIP BPE tokenizer
 * @param textEncoder CLIP text transformer
 * @param unet        denoising U-Net
 * @param codec       AutoencoderKL or TAESD
 * @param codecName   "AutoencoderKL" or "TAESD"
 * @param scheduler   DDIM with SD 1.5's schedule
 */
public record SdModel(String name, ClipTokenizer tokenizer, ClipTextEncoder textEncoder, UNet unet,
                      LatentCodec codec, String codecName, DdimScheduler scheduler) {
    /** Prompt to [1, 77, C] last hidden state. */
    public INDArray encodePrompt(String prompt) {
        return textEncoder.encode(tokenizer.encode(prompt));
    }

    /** The text-to-image / image-to-image pipeline over these parts. */
    public StableDiffusion pipeline() {
        return StableDiffusion.of(this::encodePrompt, NoisePredictor.of((x, t, ctx) -> unet.forward(x, t, ctx), UNet::releaseWorkspaces), codec, scheduler);
    }
}
