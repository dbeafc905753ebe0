package org.meg.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meg.io.SafeTensorsFile;
import org.meg.testing.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The guided DDIM loop alone, U-Net replaced by the reference's stored per-step predictions:
 * locates any divergence in the loop (timesteps, guidance, step) apart from the networks.
 * Tolerance 1e-4: the loop only adds float32 rounding to stored inputs.
 */
class DdimSamplerReplayTest {
    @ParameterizedTest
    @ValueSource(strings = {"img2img_64x64", "img2img_64x96"})
    void loopReproducesEveryStep(String name) {
        try (SafeTensorsFile ref = SafeTensorsFile.open(Reference.sdTiny("outputs/tiny-sd/" + name + ".safetensors"))) {
            long[] expectedTs = ref.longs("timesteps");
            int steps = expectedTs.length == 37 ? 50 : 20;
            DdimScheduler ddim = DdimScheduler.sd15();
            Timesteps ts = ddim.timesteps(steps).forStrength(0.75);
            assertEquals(expectedTs.length, ts.size());
            for (int k = 0; k < ts.size(); k++) {
                assertEquals(expectedTs[k], ts.get(k));
            }
            // init latents and the forward noising
            INDArray init = ref.load("posterior_mean").add(ref.load("posterior_std").mul(ref.load("posterior_eps"))).muli(0.18215f);
            Reference.assertClose("init_latents_scaled", ref.load("init_latents_scaled"), init, 1e-5);
            INDArray start = ddim.addNoise(ref.load("init_latents_scaled"), ref.load("noise"), ts.get(0));
            Reference.assertClose("latents_start", ref.load("latents_start"), start, 1e-5);

            int[] step = {0};
            int[] released = {0};
            NoisePredictor replay = NoisePredictor.of((x, t, ctx) -> {
                String p = String.format("step%02d.", step[0]);
                assertEquals(2, x.size(0), "guidance batch");
                assertEquals(0, released[0], "released before the loop ended");
                return Nd4j.concat(0, ref.load(p + "noise_pred_uncond"), ref.load(p + "noise_pred_text"));
            }, () -> released[0]++);
            List<String> failures = new ArrayList<>();
            DdimSampler sampler = DdimSampler.of(ddim, replay);
            DdimSampler.Guidance g = new DdimSampler.Guidance(ref.load("prompt_embeds"), ref.load("negative_prompt_embeds"), 7.5);
            INDArray out = sampler.denoise(ref.load("latents_start"), ts, g, 0.0, SeededNoise.of(0),
                    (k, total, t, latents) -> {
                        Reference.assertClose(String.format("step%02d.latents", k),
                                ref.load(String.format("step%02d.latents", k)), latents, 1e-4);
                        step[0]++;
                    });
            assertEquals(ts.size(), step[0]);
            assertEquals(1, released[0], "the predictor's memory is released once, when the loop ends");
            Reference.assertClose("final_latents", ref.load("final_latents"), out, 1e-4);
        }
    }
}
