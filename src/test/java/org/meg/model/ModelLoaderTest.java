package org.meg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meg.io.SafeTensorsException;
import org.meg.io.SafeTensorsFile;
import org.meg.io.SafeTensorsWriter;
import org.meg.io.TensorInfo;
import org.meg.testing.Reference;

/** Whole-checkpoint loading: what is detected, and a clear error for every broken input. */
class ModelLoaderTest {
    private static final Path TINY = Reference.sdTiny("models/tiny-sd/original/tiny-sd.safetensors");
    private static final ModelOptions VAE = ModelOptions.defaults().withCodec(ModelOptions.Codec.VAE);

    @TempDir
    Path tmp;

    /** A copy of the tiny checkpoint, edited tensor by tensor (return false from the filter to drop one). */
    private Path edited(String name, java.util.function.Predicate<String> keep, BiConsumer<SafeTensorsWriter, String> extra) {
        Path out = tmp.resolve(name);
        SafeTensorsWriter w = SafeTensorsWriter.create();
        try (SafeTensorsFile f = SafeTensorsFile.open(TINY)) {
            for (String k : f.names()) {
                if (keep.test(k)) {
                    TensorInfo info = f.info(k);
                    ByteBuffer b = f.bytes(k);
                    byte[] data = new byte[b.remaining()];
                    b.get(data);
                    w.putRaw(k, info.dtype(), f.shape(k), data);
                }
            }
        }
        extra.accept(w, name);
        w.write(out);
        return out;
    }

    @Test
    void tinyModelLoadsFromBothLayoutsWithTheSameDetectedSizes() {
        SdModel single = ModelLoader.load(TINY, VAE);
        SdModel folder = ModelLoader.load(Reference.sdTiny("models/tiny-sd/diffusers"), VAE);
        assertEquals(single.unet().config(), folder.unet().config());
        assertEquals(single.textEncoder().config(), folder.textEncoder().config());
        assertEquals("TAESD", ModelLoader.load(TINY, ModelOptions.defaults().withCodec(ModelOptions.Codec.TAESD)).codecName());
    }

    @Test
    void aMissingKeyIsNamed() {
        String key = "first_stage_model.decoder.conv_out.bias";
        Path p = edited("missing.safetensors", k -> !k.equals(key), (w, n) -> { });
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ModelLoader.load(p, VAE));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void anUnexpectedKeyIsNamed() {
        String key = "model.diffusion_model.extra_head.weight";
        Path p = edited("extra.safetensors", k -> true, (w, n) -> w.putF32(key, new float[4], 2, 2));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ModelLoader.load(p, VAE));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void aMisShapedKeyNamesBothShapes() {
        String key = "cond_stage_model.transformer.text_model.final_layer_norm.weight";
        Path p = edited("shape.safetensors", k -> !k.equals(key), (w, n) -> w.putF32(key, new float[33], 33));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ModelLoader.load(p, VAE));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("33") && e.getMessage().contains("32"),
                e.getMessage());
    }

    @Test
    void aTruncatedCheckpointIsRefusedBeforeAnythingLoads() throws Exception {
        byte[] all = Files.readAllBytes(TINY);
        Path p = tmp.resolve("truncated.safetensors");
        Files.write(p, Arrays.copyOf(all, all.length - 1000));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ModelLoader.load(p, VAE));
        assertTrue(e.getMessage().contains("truncated.safetensors"), e.getMessage());
    }

    @Test
    void wrongKindsOfInputSayWhatTheyAre() throws Exception {
        Path ckpt = Files.write(tmp.resolve("model.ckpt"), new byte[] {80, 75});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(ckpt, VAE))
                .getMessage().contains("convert-weights"));
        Path notSd = edited("vae-only.safetensors", k -> k.startsWith("first_stage_model."), (w, n) -> { });
        assertTrue(assertThrows(SafeTensorsException.class, () -> ModelLoader.load(notSd, VAE))
                .getMessage().contains("model.diffusion_model"));
        Path folder = Files.createDirectories(tmp.resolve("half-diffusers/unet"));
        Files.copy(Reference.sdTiny("models/tiny-sd/diffusers/unet/diffusion_pytorch_model.safetensors"),
                folder.resolve("diffusion_pytorch_model.safetensors"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(folder.getParent(), VAE))
                .getMessage().contains("text_encoder/model.safetensors"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(tmp.resolve("nowhere"), VAE))
                .getMessage().contains("nowhere"));
    }
}
