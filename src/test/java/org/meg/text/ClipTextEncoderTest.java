package org.meg.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.meg.io.PrefixSource;
import org.meg.io.SafeTensorsFile;
import org.meg.nn.Weights;
import org.meg.testing.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Text encoder against transformers' CLIPTextModel on tiny-sd (float64 reference rounded to
 * float32). Tolerance 1e-4 absolute, the reference README's figure: torch float32 itself lands
 * 1.4e-6 away, so 1e-4 leaves room for another summation order but catches any wrong op.
 */
class ClipTextEncoderTest {
    private static final double TOL = 1e-4;

    private static void checkAll(ClipTextEncoder enc) {
        try (SafeTensorsFile ref = SafeTensorsFile.open(Reference.sdTiny("outputs/tiny-sd/text_encoder.safetensors"))) {
            int prompts = 0;
            for (String name : ref.names()) {
                if (!name.endsWith(".input_ids")) {
                    continue;
                }
                String p = name.substring(0, name.length() - ".input_ids".length());
                long[] ids = ref.longs(name);
                int[] tokens = new int[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    tokens[i] = (int) ids[i];
                }
                Map<String, INDArray> cap = new HashMap<>();
                enc.encode(tokens, cap);
                for (String part : new String[] {"embeddings", "layer0_output", "layer1_output", "last_hidden_state"}) {
                    Reference.assertClose(p + "." + part, ref.load(p + "." + part), cap.get(part), TOL);
                }
                prompts++;
            }
            assertEquals(4, prompts, "reference prompts compared");
        }
    }

    @Test
    void originalLayoutMatchesReference() {
        try (SafeTensorsFile f = SafeTensorsFile.open(Reference.sdTiny("models/tiny-sd/original/tiny-sd.safetensors"))) {
            Weights root = Weights.of(PrefixSource.of(f, "cond_stage_model.transformer."));
            ClipTextConfig c = ClipTextConfig.detect(PrefixSource.of(f, "cond_stage_model.transformer."), 4);
            assertEquals(new ClipTextConfig(49408, 77, 32, 2, 4, 128, 1e-5), c);
            ClipTextEncoder enc = ClipTextEncoder.load(root, c);
            root.requireAllTaken(k -> k.endsWith("position_ids"));
            checkAll(enc);
        }
    }

    @Test
    void diffusersLayoutMatchesReference() {
        try (SafeTensorsFile f = SafeTensorsFile.open(Reference.sdTiny("models/tiny-sd/diffusers/text_encoder/model.safetensors"))) {
            Weights root = Weights.of(f);
            ClipTextEncoder enc = ClipTextEncoder.load(root, ClipTextConfig.detect(f, 4));
            root.requireAllTaken(k -> false);
            checkAll(enc);
        }
    }

    @Test
    void rejectsOutOfVocabularyIds() {
        try (SafeTensorsFile f = SafeTensorsFile.open(Reference.sdTiny("models/tiny-sd/diffusers/text_encoder/model.safetensors"))) {
            ClipTextEncoder enc = ClipTextEncoder.load(Weights.of(f), ClipTextConfig.detect(f, 4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.encode(new int[] {49406, 49408}));
            assertTrue(e.getMessage().contains("49408"), e.getMessage());
        }
    }
}
