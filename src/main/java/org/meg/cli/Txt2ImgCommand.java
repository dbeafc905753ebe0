package org.meg.cli;

import java.util.concurrent.Callable;
import org.meg.io.Images;
import org.meg.io.SafeTensorsWriter;
import org.meg.model.SdModel;
import org.meg.sampling.StableDiffusion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meg txt2img}: text-to-image with the engine alone. */
@Command(name = "txt2img", mixinStandardHelpOptions = true, description = "Text-to-image (DDIM, classifier-free guidance).")
final class Txt2ImgCommand implements Callable<Integer> {
    @Mixin
    EngineArgs e;
    @Option(names = "--width", defaultValue = "128", description = "width, multiple of 8 (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--height", defaultValue = "128", description = "height, multiple of 8 (default ${DEFAULT-VALUE})")
    int height;

    @Override
    public Integer call() {
        SdModel m = e.load();
        SafeTensorsWriter lat = e.saveLatents == null ? null : SafeTensorsWriter.create();
        StableDiffusion.Result r = m.pipeline().txt2img(e.prompt, e.negativePrompt, height, width, e.steps, e.guidance,
                e.eta, e.noiseSource(), e.listener(lat));
        e.finish(lat, r.latents(), r.timesteps().values());
        Images.writePng(r.image(), e.out);
        System.out.println("wrote " + e.out);
        return 0;
    }
}
