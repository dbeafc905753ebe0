package org.meg.bench;

import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.meg.io.Images;
import org.meg.io.RandomWeights;
import org.meg.nn.Weights;
import org.meg.sampling.DdimScheduler;
import org.meg.sampling.NoisePredictor;
import org.meg.sampling.SeededNoise;
import org.meg.sampling.StableDiffusion;
import org.meg.text.ClipTextConfig;
import org.meg.text.ClipTextEncoder;
import org.meg.text.ClipTokenizer;
import org.meg.unet.UNet;
import org.meg.vae.AutoencoderKL;
import org.meg.vae.VaeConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Peak memory of a whole 512x512 image-to-image run with SD 1.5 in fp32 (random weights made in
 * process: CLIP ViT-L/14 text encoder, AutoencoderKL, U-Net; 1.07 G parameters, 4.3 GB): encode
 * the photo, denoise with classifier-free guidance, decode. Process RSS sampled every 10 ms, plus
 * {@code VmHWM}, and the RSS after each denoising step (flat = steady-state allocation).
 *
 * <p>Usage: {@code Img2ImgMemory [steps=10] [strength=0.3]} (strength x steps denoising steps run).
 * Diagnostics: {@code -Dmeg.rssTrace=true} prints each new peak with where the run was, and the
 * largest mappings once the denoising ends; {@code -Dmeg.gcAtRelease=true} runs a full collection
 * there and prints the Java heap's live size.
 */
public final class Img2ImgMemory {
    private static final double MB = 1024.0 * 1024.0;

    private Img2ImgMemory() {
    }

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        double strength = args.length > 1 ? Double.parseDouble(args[1]) : 0.3;

        // 1. The three models, strictly loaded from random weights.
        long t0 = System.nanoTime();
        UNet unet = Layouts.randomUnet(1234);
        Weights vw = Weights.of(RandomWeights.of(Layouts.vae(VaeConfig.sd15()), 99));
        AutoencoderKL vae = AutoencoderKL.load(vw, VaeConfig.sd15());
        vw.requireAllTaken(k -> false);
        Weights cw = Weights.of(RandomWeights.of(Layouts.clip(ClipTextConfig.sd15()), 7));
        ClipTextEncoder clip = ClipTextEncoder.load(cw, ClipTextConfig.sd15());
        cw.requireAllTaken(k -> false);
        ClipTokenizer tokenizer = ClipTokenizer.loadDefault();
        StableDiffusion sd = StableDiffusion.of(p -> clip.encode(tokenizer.encode(p)),
                NoisePredictor.of(unet::forward, () -> {
                    UNet.releaseWorkspaces();
                    Runtime heap = Runtime.getRuntime();
                    System.out.printf(Locale.ROOT, "denoising done, U-Net workspaces freed: RSS %.0f MB (javacpp off-heap %.0f MB, "
                                    + "Java heap committed %.0f MB)%n",
                            Pointer.physicalBytes() / MB, Pointer.totalBytes() / MB, heap.totalMemory() / MB);
                    if (Boolean.getBoolean("meg.gcAtRelease")) {
                        System.gc();
                        System.out.printf(Locale.ROOT, "after System.gc(): RSS %.0f MB, Java heap committed %.0f MB, used %.0f MB%n",
                                Pointer.physicalBytes() / MB, heap.totalMemory() / MB, (heap.totalMemory() - heap.freeMemory()) / MB);
                    }
                    if (Boolean.getBoolean("meg.rssTrace")) {
                        try {
                            RssPeak.largestMappings(25).forEach(System.out::println);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }), vae,
                DdimScheduler.sd15());
        Path photo = Path.of(args.length > 2 ? args[2] : "../src/test/resources/images/coffee_512.png");
        INDArray image = Images.read(photo);                                 // [1, 3, 512, 512] in [-1, 1]
        System.gc();
        long loaded = Pointer.physicalBytes();
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "loaded in %.1f s; RSS %.0f MB (javacpp off-heap %.0f MB, Java heap committed %.0f MB, used %.0f MB)%n",
                (System.nanoTime() - t0) / 1e9, loaded / MB, Pointer.totalBytes() / MB, rt.totalMemory() / MB,
                (rt.totalMemory() - rt.freeMemory()) / MB);

        // 2. The run, with an RSS sampler beside it.
        RssPeak peak = RssPeak.start(loaded);
        long s = System.nanoTime();
        long[] last = {s};
        StableDiffusion.Result r = sd.img2img("a photograph of an astronaut riding a horse", "", image, strength, steps,
                7.5, 0, SeededNoise.of(1), (k, total, t, latents) -> {
                    long now = System.nanoTime();
                    System.out.printf(Locale.ROOT, "step %d/%d (t=%d): %.1f s, RSS after it %.0f MB, peak so far %.0f MB%n",
                            k + 1, total, t, (now - last[0]) / 1e9, Pointer.physicalBytes() / MB, peak.peak() / MB);
                    last[0] = now;
                });
        peak.close();
        System.out.printf(Locale.ROOT, "img2img 512x512, %d of %d steps, batch 2 (CFG): %.1f s; peak RSS %.0f MB "
                        + "(%.0f MB above the loaded models); VmHWM %.0f MB; output %s%n",
                r.timesteps().size(), steps, (System.nanoTime() - s) / 1e9, peak.peak() / MB, (peak.peak() - loaded) / MB,
                RssPeak.vmHwm() / MB, java.util.Arrays.toString(r.image().shape()));
    }
}
