package org.meg.cli;

import java.nio.file.Path;
import org.meg.io.SafeTensorsWriter;
import org.meg.model.ModelLoader;
import org.meg.model.SdModel;
import org.meg.sampling.NoiseSource;
import org.meg.sampling.SeededNoise;
import org.meg.sampling.StepListener;
import org.meg.sampling.StoredNoise;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Option;

/** Options of the engine-only commands (img2img, txt2img). */
final class EngineArgs {
    @Option(names = "--model", description = "single-file .safetensors or diffusers folder (default: " + ModelArgs.DEFAULT_ES + ")")
    Path model;
    @Option(names = "--codec", defaultValue = "auto", description = "auto, vae or taesd (default ${DEFAULT-VALUE})")
    String codec;
    @Option(names = "--prompt", required = true, description = "text prompt")
    String prompt;
    @Option(names = "--negative-prompt", defaultValue = "", description = "negative prompt")
    String negativePrompt;
    @Option(names = "--steps", defaultValue = "50", description = "DDIM steps (default ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--guidance", defaultValue = "7.5", description = "guidance scale (default ${DEFAULT-VALUE})")
    double guidance;
    @Option(names = "--eta", defaultValue = "0", description = "DDIM eta (default ${DEFAULT-VALUE})")
    double eta;
    @Option(names = "--seed", defaultValue = "0", description = "seed of every draw not given by --noise (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--noise", description = "safetensors with explicit noise tensors by name (posterior_eps, noise, initial_latents)")
    Path noise;
    @Option(names = "--save-latents", description = "write every step's latents (stepNN.latents, final_latents) as safetensors")
    Path saveLatents;
    @Option(names = "--out", required = true, description = "output PNG")
    Path out;

    SdModel load() {
        ModelArgs m = new ModelArgs();
        m.model = model;
        m.codec = codec;
        return ModelLoader.load(m.esPath(), m.options());
    }

    NoiseSource noiseSource() {
        SeededNoise seeded = SeededNoise.of(seed);
        return noise == null ? seeded : StoredNoise.open(noise, seeded);
    }

    /** A listener drawing the bar and collecting latents for --save-latents. */
    StepListener listener(SafeTensorsWriter latents) {
        Progress bar = Progress.terminal("denoising");
        return (k, total, t, x) -> {
            bar.afterStep(k, total, t, x);
            if (latents != null) {
                latents.put(String.format("step%02d.latents", k), x);
            }
        };
    }

    void finish(SafeTensorsWriter latents, INDArray finalLatents, int[] timesteps) {
        if (latents != null) {
            latents.put("final_latents", finalLatents);
            long[] ts = new long[timesteps.length];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = timesteps[i];
            }
            if (ts.length > 0) {
                latents.putI64("timesteps", ts, ts.length);
            }
            latents.write(saveLatents);
        }
    }
}
