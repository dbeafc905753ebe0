package org.meg.bench;

import java.util.Map;
import org.meg.io.RandomWeights;
import org.meg.nn.Weights;
import org.meg.text.ClipTextConfig;
import org.meg.unet.OriginalLayout;
import org.meg.unet.UNet;
import org.meg.unet.UNetConfig;
import org.meg.vae.VaeConfig;

/**
 * Key tables (names and shapes) of full-size SD 1.x checkpoints, written from the upstream module
 * trees so that random weights can be made in process; the engine's strict loader checks each
 * table (every key taken, every shape equal).
 */
final class Layouts {
    private Layouts() {
    }

    /** U-Net keys relative to {@code model.diffusion_model.}: the engine's own table. */
    static Map<String, long[]> unet(UNetConfig cfg) {
        return OriginalLayout.keys(cfg);
    }

    /** SD 1.5's U-Net with random weights from {@link #unet}, strictly loaded (every key taken). */
    static UNet randomUnet(long seed) {
        UNetConfig cfg = UNetConfig.sd15();
        Weights w = Weights.of(RandomWeights.of(unet(cfg), seed));
        UNet model = UNet.load(w, cfg);
        w.requireAllTaken(k -> false);
        return model;
    }

    /** GEGLU feed-forward keys ({@code net.0.proj}: dim -> 8 dim, {@code net.2}: 4 dim -> dim). */
    static KeyTable feedForward(KeyTable t, String p, int dim) {
        return t.linear(p + ".net.0.proj", dim, 8 * dim).linear(p + ".net.2", 4 * dim, dim);
    }

    /** AutoencoderKL keys relative to {@code first_stage_model.} (CompVis {@code autoencoder.py}). */
    static Map<String, long[]> vae(VaeConfig cfg) {
        KeyTable t = new KeyTable();
        int levels = cfg.levels();
        int z = cfg.zChannels();
        // encoder
        t.conv("encoder.conv_in", 3, cfg.ch(), 3);
        int in = cfg.ch();
        for (int i = 0; i < levels; i++) {
            int out = cfg.channels(i);
            for (int j = 0; j < cfg.numResBlocks(); j++) {
                resnet(t, "encoder.down." + i + ".block." + j, j == 0 ? in : out, out);
            }
            if (i != levels - 1) {
                t.conv("encoder.down." + i + ".downsample.conv", out, out, 3);
            }
            in = out;
        }
        mid(t, "encoder.mid", in);
        t.norm("encoder.norm_out", in).conv("encoder.conv_out", in, 2 * z, 3);
        // decoder
        in = cfg.channels(levels - 1);
        t.conv("decoder.conv_in", z, in, 3);
        mid(t, "decoder.mid", in);
        for (int i = levels - 1; i >= 0; i--) {
            int out = cfg.channels(i);
            for (int j = 0; j < cfg.numResBlocks() + 1; j++) {
                resnet(t, "decoder.up." + i + ".block." + j, j == 0 ? in : out, out);
            }
            if (i != 0) {
                t.conv("decoder.up." + i + ".upsample.conv", out, out, 3);
            }
            in = out;
        }
        t.norm("decoder.norm_out", in).conv("decoder.conv_out", in, 3, 3);
        t.conv("quant_conv", 2 * z, 2 * z, 1).conv("post_quant_conv", z, z, 1);
        return t.keys();
    }

    private static void resnet(KeyTable t, String p, int in, int out) {
        t.norm(p + ".norm1", in).conv(p + ".conv1", in, out, 3).norm(p + ".norm2", out).conv(p + ".conv2", out, out, 3);
        if (in != out) {
            t.conv(p + ".nin_shortcut", in, out, 1);
        }
    }

    private static void mid(KeyTable t, String p, int c) {
        resnet(t, p + ".block_1", c, c);
        t.norm(p + ".attn_1.norm", c);
        for (String n : new String[] {"q", "k", "v", "proj_out"}) {
            t.conv(p + ".attn_1." + n, c, c, 1);
        }
        resnet(t, p + ".block_2", c, c);
    }

    /** CLIP text encoder keys (HF {@code CLIPTextModel}, under {@code text_model.}). */
    static Map<String, long[]> clip(ClipTextConfig c) {
        KeyTable t = new KeyTable();
        int h = c.hidden();
        t.put("text_model.embeddings.token_embedding.weight", c.vocabSize(), h);
        t.put("text_model.embeddings.position_embedding.weight", c.maxPositions(), h);
        for (int i = 0; i < c.layers(); i++) {
            String p = "text_model.encoder.layers." + i;
            t.norm(p + ".layer_norm1", h);
            for (String n : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t.linear(p + ".self_attn." + n, h, h);
            }
            t.norm(p + ".layer_norm2", h).linear(p + ".mlp.fc1", h, c.intermediate()).linear(p + ".mlp.fc2", c.intermediate(), h);
        }
        t.norm("text_model.final_layer_norm", h);
        return t.keys();
    }
}
