package org.meg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.meg.testing.Reference.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.meg.io.ProjectFiles;
import org.meg.io.SafeTensorsFile;
import org.meg.sampling.StableDiffusion;
import org.meg.sampling.StoredNoise;
import org.meg.testing.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shipped trained model ({@code weights/meg-es.safetensors}, tools/train) loaded through
 * {@link ModelLoader} like SD 1.5, against tools/train/sample.py's PyTorch DDIM run on the same F16
 * weights with the same stored noise ({@code initial_latents}, {@code noise}): 10 steps, guidance 7.5,
 * TAESD codec. Tolerances: text embeddings and TAESD latents 1e-4, final latents 1e-3.
 */
class TrainedModelTest {
    private static SdModel model;
    private static JsonNode settings;
    private static Path refPath;

    @BeforeAll
    static void load() throws Exception {
        model = ModelLoader.load(ProjectFiles.find("weights/meg-es.safetensors"), ModelOptions.defaults());
        refPath = Reference.resource("reference/meg-es/meg-es_10steps.safetensors");
        settings = new ObjectMapper().readTree(Reference.resource("reference/meg-es/meg-es_10steps.json").toFile());
    }

    @Test
    void loadsAsSd1xWithTaesd() {
        assertEquals("TAESD", model.codecName());
        assertEquals(4, model.unet().config().levels());
        assertEquals(model.textEncoder().config().hidden(), model.unet().config().contextDim());
    }

    @Test
    void txt2imgMatchesPyTorch() {
        String prompt = settings.get("txt2img_prompt").asText();
        try (SafeTensorsFile ref = SafeTensorsFile.open(refPath)) {
            assertClose("prompt_embeds", ref.load("prompt_embeds"), model.encodePrompt(prompt), 1e-4);
            assertClose("negative_prompt_embeds", ref.load("negative_prompt_embeds"), model.encodePrompt(""), 1e-4);
            StableDiffusion.Result r = model.pipeline().txt2img(prompt, "", settings.get("height").asInt(),
                    settings.get("width").asInt(), settings.get("steps").asInt(), settings.get("guidance").asDouble(),
                    0.0, StoredNoise.open(refPath, null), (k, n, t, x) -> { });
            assertClose("txt2img_final_latents", ref.load("txt2img_final_latents"), r.latents(), 1e-3);
        }
    }

    @Test
    void img2imgMatchesPyTorch() {
        String prompt = settings.get("img2img_prompt").asText();
        try (SafeTensorsFile ref = SafeTensorsFile.open(refPath)) {
            StableDiffusion sd = model.pipeline();
            StoredNoise noise = StoredNoise.open(refPath, null);
            INDArray image = ref.load("image");
            assertClose("init_latents_scaled", ref.load("init_latents_scaled"), sd.encode(image, noise), 1e-4);
            StableDiffusion.Result r = sd.img2img(prompt, "", image, settings.get("strength").asDouble(),
                    settings.get("steps").asInt(), settings.get("guidance").asDouble(), 0.0, noise, (k, n, t, x) -> { });
            assertClose("img2img_final_latents", ref.load("img2img_final_latents"), r.latents(), 1e-3);
        }
    }
}
