package org.meg.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.meg.io.PrefixSource;
import org.meg.io.SafeTensorsException;
import org.meg.io.SafeTensorsFile;
import org.meg.io.TensorSource;
import org.meg.nn.Weights;
import org.meg.sampling.DdimScheduler;
import org.meg.text.ClipTextConfig;
import org.meg.text.ClipTextEncoder;
import org.meg.text.ClipTokenizer;
import org.meg.unet.UNet;
import org.meg.unet.UNetConfig;
import org.meg.unet.UNetKeys;
import org.meg.vae.AutoencoderKL;
import org.meg.vae.LatentCodec;
import org.meg.vae.Taesd;
import org.meg.vae.VaeConfig;
import org.meg.vae.VaeKeys;

/**
 * Loads SD 1.x from either layout, strictly:
 * <ul>
 * <li>a single file in the original layout ({@code model.diffusion_model.*},
 *     {@code first_stage_model.*}, {@code cond_stage_model.transformer.*}), as
 *     {@code v1-5-pruned-emaonly.safetensors}; an optional sidecar {@code <stem>-config.json}
 *     (keys {@code unet.attention_head_dim}, {@code text_encoder.num_attention_heads}) gives
 *     what shapes cannot;</li>
 * <li>a diffusers folder ({@code unet/}, {@code vae/}, {@code text_encoder/} with config.json).</li>
 * </ul>
 * Sizes are detected from the weights' shapes. Every key must be used, except the buffers real
 * checkpoints carry ({@code position_ids}, the DDPM schedule, EMA counters).
 */
public final class ModelLoader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SCHEDULE_BUFFERS = Set.of("betas", "alphas_cumprod", "alphas_cumprod_prev",
            "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod",
            "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
            "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2", "logvar");
    private static final Predicate<String> IGNORED = k -> SCHEDULE_BUFFERS.contains(k) || k.startsWith("model_ema.")
            || k.endsWith("embeddings.position_ids");

    private ModelLoader() {
    }

    /** Loads a single-file checkpoint or a diffusers folder. */
    public static SdModel load(Path path, ModelOptions options) {
        if (Files.isDirectory(path)) {
            return loadDiffusers(path, options);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("model not found: " + path);
        }
        String n = path.getFileName().toString();
        if (n.endsWith(".ckpt") || n.endsWith(".pt") || n.endsWith(".pth")) {
            throw new IllegalArgumentException(path + " is a pickle checkpoint: convert it first with "
                    + "tools/convert-weights (it never runs pickle code)");
        }
        return loadSingleFile(path, options);
    }

    private static SdModel loadSingleFile(Path path, ModelOptions o) {
        SafeTensorsFile f = SafeTensorsFile.open(path);
        JsonNode sidecar = sidecar(path);
        int unetHeads = o.unetHeads() > 0 ? o.unetHeads() : sidecar.path("unet").path("attention_head_dim").asInt(8);
        int textHeads = o.textHeads() > 0 ? o.textHeads() : sidecar.path("text_encoder").path("num_attention_heads").asInt(0);
        Weights root = Weights.of(f);
        TensorSource unetSrc = PrefixSource.of(f, "model.diffusion_model.");
        TensorSource textSrc = PrefixSource.of(f, "cond_stage_model.transformer.");
        if (unetSrc.names().isEmpty()) {
            throw new SafeTensorsException(path + ": no model.diffusion_model.* keys: not an SD 1.x single-file checkpoint");
        }
        UNet unet = UNet.load(root.child("model").child("diffusion_model"), UNetConfig.detect(unetSrc, unetHeads));
        ClipTextEncoder text = ClipTextEncoder.load(root.child("cond_stage_model").child("transformer"),
                ClipTextConfig.detect(textSrc, textHeads));
        boolean hasVae = !PrefixSource.of(f, "first_stage_model.").names().isEmpty();
        LatentCodec codec;
        String codecName;
        Predicate<String> skip = IGNORED;
        if (o.codec() == ModelOptions.Codec.TAESD || (o.codec() == ModelOptions.Codec.AUTO && !hasVae)) {
            codec = Taesd.loadDefault();
            codecName = "TAESD";
            skip = skip.or(k -> k.startsWith("first_stage_model."));
        } else {
            if (!hasVae) {
                throw new SafeTensorsException(path + " has no first_stage_model.* (VAE) keys; use the TAESD codec");
            }
            TensorSource vaeSrc = PrefixSource.of(f, "first_stage_model.");
            codec = AutoencoderKL.load(root.child("first_stage_model"), VaeConfig.detect(vaeSrc));
            codecName = "AutoencoderKL";
        }
        root.requireAllTaken(skip);
        return new SdModel(path.toString(), ClipTokenizer.loadDefault(), text, unet, codec, codecName, DdimScheduler.sd15());
    }

    private static SdModel loadDiffusers(Path dir, ModelOptions o) {
        Path unetFile = component(dir, "unet", "diffusion_pytorch_model.safetensors");
        Path textFile = component(dir, "text_encoder", "model.safetensors");
        JsonNode unetCfg = config(dir.resolve("unet/config.json"));
        JsonNode textCfg = config(dir.resolve("text_encoder/config.json"));
        int unetHeads = o.unetHeads() > 0 ? o.unetHeads() : unetCfg.path("attention_head_dim").asInt(8);
        int textHeads = o.textHeads() > 0 ? o.textHeads() : textCfg.path("num_attention_heads").asInt(0);
        TensorSource unetSrc = UNetKeys.view(SafeTensorsFile.open(unetFile));
        Weights uw = Weights.of(unetSrc);
        UNet unet = UNet.load(uw, UNetConfig.detect(unetSrc, unetHeads));
        uw.requireAllTaken(k -> false);
        SafeTensorsFile textSrc = SafeTensorsFile.open(textFile);
        Weights tw = Weights.of(textSrc);
        ClipTextEncoder text = ClipTextEncoder.load(tw, ClipTextConfig.detect(textSrc, textHeads));
        tw.requireAllTaken(IGNORED);
        LatentCodec codec;
        String codecName;
        Path vaeFile = dir.resolve("vae/diffusion_pytorch_model.safetensors");
        if (o.codec() == ModelOptions.Codec.TAESD || (o.codec() == ModelOptions.Codec.AUTO && !Files.isRegularFile(vaeFile))) {
            codec = Taesd.loadDefault();
            codecName = "TAESD";
        } else {
            TensorSource vaeSrc = VaeKeys.diffusersView(SafeTensorsFile.open(component(dir, "vae", "diffusion_pytorch_model.safetensors")));
            Weights vw = Weights.of(vaeSrc);
            codec = AutoencoderKL.load(vw, VaeConfig.detect(vaeSrc));
            vw.requireAllTaken(k -> false);
            codecName = "AutoencoderKL";
        }
        return new SdModel(dir.toString(), ClipTokenizer.loadDefault(), text, unet, codec, codecName, DdimScheduler.sd15());
    }

    private static Path component(Path dir, String sub, String file) {
        Path p = dir.resolve(sub).resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(dir + " is not a diffusers SD folder: missing " + sub + "/" + file);
        }
        return p;
    }

    private static JsonNode config(Path p) {
        if (!Files.isRegularFile(p)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot parse " + p + ": " + e.getMessage(), e);
        }
    }

    /** The {@code <stem>-config.json} next to a single-file checkpoint, or an empty object. */
    static JsonNode sidecar(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        return config(checkpoint.resolveSibling(stem + "-config.json"));
    }

    /** Every shipped model under {@code weights/} (single files with a sidecar config). */
    public static List<Path> shippedModels(Path weightsDir) {
        List<Path> out = new ArrayList<>();
        try (var s = Files.list(weightsDir)) {
            s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(out::add);
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
