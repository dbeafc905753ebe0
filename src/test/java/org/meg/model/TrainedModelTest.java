package org.meg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.meg.testing.Reference.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meg.io.ProjectFiles;
import org.meg.io.SafeTensorsFile;
import org.meg.sampling.StableDiffusion;
import org.meg.sampling.StoredNoise;
import org.meg.testing.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shipped trained models ({@code weights/meg-es.safetensors} and the smaller
 * {@code weights/meg-ue.safetensors}, tools/train) loaded through
 * {@link ModelLoader} like SD 1.5, against tools/train/sample.py's PyTorch DDIM run on the same F16
 * weights with the same stored noise ({@code initial_latents}, {@code noise}): 10 steps, guidance 7.5,
 * TAESD codec. Tolerances: text embeddings and TAESD latents 1e-4, final latents 1e-3.
 */
class TrainedModelTest {
    private static final Map<String, SdModel> MODELS = new HashMap<>();

    private static SdModel model(String name) {
        return MODELS.computeIfAbsent(name, n -> ModelLoader.load(ProjectFiles.find("weights/" + n + ".safetensors"),
                ModelOptions.defaults()));
    }

    private static Path ref(String name) {
        return Reference.resource("reference/" + name + "/" + name + "_10steps.safetensors");
    }

    private static JsonNode settings(String name) throws Exception {
        return new ObjectMapper().readTree(Reference.resource("reference/" + name + "/" + name + "_10steps.json").toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"meg-es", "meg-ue"})
    void loadsAsSd1xWithTaesd(String name) throws Exception {
        SdModel model = model(name);
        assertEquals("TAESD", model.codecName());
        assertEquals(4, model.unet().config().levels());
        assertEquals(model.textEncoder().config().hidden(), model.unet().config().contextDim());
        assertEquals("weights/" + name + ".safetensors", settings(name).get("model").asText());
    }

    /** The UE model is the weaker one: under half the ES model's U-Net parameters, one text layer fewer. */
    @Test
    void ueModelIsSmallerThanTheEsModel() {
        long ue = parameters("meg-ue", "model.diffusion_model.");
        long es = parameters("meg-es", "model.diffusion_model.");
        assertTrue(ue < es / 2, "U-Net parameters: UE " + ue + ", ES " + es);
        assertTrue(model("meg-ue").textEncoder().config().layers() < model("meg-es").textEncoder().config().layers());
    }

    private static long parameters(String name, String prefix) {
        try (SafeTensorsFile f = SafeTensorsFile.open(ProjectFiles.find("weights/" + name + ".safetensors"))) {
            return f.names().stream().filter(k -> k.startsWith(prefix)).mapToLong(k -> f.info(k).elementCount()).sum();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"meg-es", "meg-ue"})
    void txt2imgMatchesPyTorch(String name) throws Exception {
        SdModel model = model(name);
        JsonNode settings = settings(name);
        Path refPath = ref(name);
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

    @ParameterizedTest
    @ValueSource(strings = {"meg-es", "meg-ue"})
    void img2imgMatchesPyTorch(String name) throws Exception {
        SdModel model = model(name);
        JsonNode settings = settings(name);
        Path refPath = ref(name);
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
