package org.meg.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.meg.io.Images;
import org.meg.io.SafeTensorsWriter;
import org.meg.model.SdModel;
import org.meg.sampling.StableDiffusion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meg img2img}: text-guided image-to-image with the engine alone (no channel). */
@Command(name = "img2img", mixinStandardHelpOptions = true, description = "Text-guided image-to-image (diffusers' img2img semantics, DDIM).")
final class Img2ImgCommand implements Callable<Integer> {
    @Mixin
    EngineArgs e;
    @Option(names = "--image", required = true, description = "input image (PNG), sides multiples of 8")
    Path image;
    @Option(names = "--strength", defaultValue = "0.75", description = "strength in [0, 1] (default ${DEFAULT-VALUE})")
    double strength;

    @Override
    public Integer call() {
        SdModel m = e.load();
        SafeTensorsWriter lat = e.saveLatents == null ? null : SafeTensorsWriter.create();
        StableDiffusion.Result r = m.pipeline().img2img(e.prompt, e.negativePrompt, Images.read(image), strength,
                e.steps, e.guidance, e.eta, e.noiseSource(), e.listener(lat));
        e.finish(lat, r.latents(), r.timesteps().values());
        Images.writePng(r.image(), e.out);
        System.out.println("wrote " + e.out);
        return 0;
    }
}
