package org.meg.unet;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.meg.io.PrefixSource;
import org.meg.io.SafeTensorsFile;
import org.meg.io.TensorSource;

/** Paths and loaders of the tiny-sd reference model (src/test/resources/reference/sd-tiny). */
final class TinySd {
    static final Path ROOT = Path.of("src/test/resources/reference/sd-tiny");
    static final Path ORIGINAL = ROOT.resolve("models/tiny-sd/original/tiny-sd.safetensors");
    static final Path DIFFUSERS_UNET = ROOT.resolve("models/tiny-sd/diffusers/unet");
    static final Path OUTPUTS = ROOT.resolve("outputs/tiny-sd/unet.safetensors");
    /** The original layout's U-Net prefix. */
    static final String PREFIX = "model.diffusion_model.";
    /** tiny-sd-inference.yaml {@code num_heads}. */
    static final int ORIGINAL_HEADS = 4;

    private TinySd() {
    }

    /** The original single file (U-Net, VAE, text encoder and schedule buffers). */
    static SafeTensorsFile originalFile() {
        return SafeTensorsFile.open(ORIGINAL);
    }

    /** The U-Net keys of an original-layout file, prefix removed. */
    static TensorSource unetOf(TensorSource originalFile) {
        return PrefixSource.of(originalFile, PREFIX);
    }

    /** The diffusers U-Net file, renamed to the original layout. */
    static TensorSource diffusersUnet() {
        return UNetKeys.view(SafeTensorsFile.open(DIFFUSERS_UNET.resolve("diffusion_pytorch_model.safetensors")));
    }

    /** Heads of the diffusers U-Net: its {@code attention_head_dim} (the number of heads in SD 1.x). */
    static int diffusersHeads() {
        try {
            return new ObjectMapper().readTree(DIFFUSERS_UNET.resolve("config.json").toFile())
                    .get("attention_head_dim").asInt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
