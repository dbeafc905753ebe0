package org.meg.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meg.io.Images;
import org.meg.model.ModelLoader;
import org.meg.model.ModelOptions;
import org.meg.model.SdModel;
import org.meg.protocol.Experiment;
import org.meg.protocol.Network;
import org.meg.protocol.NodeProfile;
import org.meg.protocol.Protocols;
import org.meg.protocol.RunSettings;
import org.meg.protocol.stage.ModelStages;
import org.meg.protocol.stage.StageSettings;
import org.meg.sampling.SeededNoise;
import org.meg.sampling.StableDiffusion;
import org.meg.sampling.StepListener;
import org.meg.testing.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs the README's library example, which must be the marked region below, verbatim. */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theReadmeExampleRuns() throws Exception {
        Path checkpoint = Reference.sdTiny("models/tiny-sd/original/tiny-sd.safetensors");
        Path photo = tmp.resolve("fish.png");
        Images.writePng(Images.resizeBilinear(Images.read(Reference.resource("images/coffee_256.png")), 64, 64), photo);
        Path result = tmp.resolve("coral.png");
        int steps = 3;
        // README:begin
        SdModel model = ModelLoader.load(checkpoint, ModelOptions.defaults());   // .safetensors file or diffusers folder
        StableDiffusion sd = model.pipeline();
        INDArray image = Images.read(photo);                                       // [1, 3, H, W] in [-1, 1]
        StableDiffusion.Result r = sd.img2img("corals in an underwater scene", "", image,
                0.75, steps, 7.5, 0.0, SeededNoise.of(7), StepListener.NONE);    // strength, steps, guidance, eta
        Images.writePng(r.image(), result);

        StageSettings s = StageSettings.paper().withSteps(steps);                  // the same model on both sides
        Network net = Network.of(new NodeProfile("UE", ModelStages.of(sd, s), "ue", 0.25),
                new NodeProfile("ES", ModelStages.of(sd, s), "es", 4.0), 1);
        Experiment.Outcome o = Experiment.run(Protocols.get("CIAG"), net, "corals", image, RunSettings.of(7, -20));
        System.out.println(o.noisy().ledger().toTable() + "PSNR vs perfect channel: " + o.psnr() + " dB");
        // README:end
        assertTrue(Files.size(result) > 0);
        assertEquals(2L * 4 * 8 * 8 * 8, o.noisy().ledger().totalBitsWithoutText(), "seed up and down, 8 bits a value");
    }
}
