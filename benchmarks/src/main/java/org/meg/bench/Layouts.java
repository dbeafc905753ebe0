package org.meg.bench;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.meg.text.ClipTextConfig;
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

    /** U-Net keys relative to {@code model.diffusion_model.} (CompVis {@code openaimodel.UNetModel}). */
    static Map<String, long[]> unet(UNetConfig cfg) {
        KeyTable t = new KeyTable();
        int c0 = cfg.modelChannels();
        int emb = cfg.timeEmbedDim();
        int lpb = cfg.layersPerBlock();
        t.linear("time_embed.0", c0, emb).linear("time_embed.2", emb, emb);
        t.conv("input_blocks.0.0", cfg.inChannels(), c0, 3);
        Deque<Integer> skips = new ArrayDeque<>();
        skips.push(c0);
        int ch = c0;
        int k = 1;
        for (int level = 0; level < cfg.levels(); level++) {
            for (int j = 0; j < lpb; j++, k++) {
                resBlock(t, "input_blocks." + k + ".0", ch, cfg.channels(level), emb);
                ch = cfg.channels(level);
                if (cfg.hasAttention(level)) {
                    transformer(t, "input_blocks." + k + ".1", ch, cfg);
                }
                skips.push(ch);
            }
            if (level < cfg.levels() - 1) {
                t.conv("input_blocks." + k + ".0.op", ch, ch, 3);
                skips.push(ch);
                k++;
            }
        }
        resBlock(t, "middle_block.0", ch, ch, emb);
        transformer(t, "middle_block.1", ch, cfg);
        resBlock(t, "middle_block.2", ch, ch, emb);
        k = 0;
        for (int level = cfg.levels() - 1; level >= 0; level--) {
            for (int j = 0; j <= lpb; j++, k++) {
                String p = "output_blocks." + k;
                resBlock(t, p + ".0", ch + skips.pop(), cfg.channels(level), emb);
                ch = cfg.channels(level);
                if (cfg.hasAttention(level)) {
                    transformer(t, p + ".1", ch, cfg);
                }
                if (j == lpb && level > 0) {
                    t.conv(p + (cfg.hasAttention(level) ? ".2" : ".1") + ".conv", ch, ch, 3);
                }
            }
        }
        t.norm("out.0", c0).conv("out.2", c0, cfg.outChannels(), 3);
        return t.keys();
    }

    private static void resBlock(KeyTable t, String p, int in, int out, int emb) {
        t.norm(p + ".in_layers.0", in).conv(p + ".in_layers.2", in, out, 3)
                .linear(p + ".emb_layers.1", emb, out)
                .norm(p + ".out_layers.0", out).conv(p + ".out_layers.3", out, out, 3);
        if (in != out) {
            t.conv(p + ".skip_connection", in, out, 1);
        }
    }

    private static void transformer(KeyTable t, String p, int c, UNetConfig cfg) {
        t.norm(p + ".norm", c).conv(p + ".proj_in", c, c, 1);
        for (int d = 0; d < cfg.transformerDepth(); d++) {
            String b = p + ".transformer_blocks." + d;
            for (String attn : new String[] {"attn1", "attn2"}) {
                int kv = attn.equals("attn1") ? c : cfg.contextDim();
                t.linearNoBias(b + "." + attn + ".to_q", c, c)
                        .linearNoBias(b + "." + attn + ".to_k", kv, c)
                        .linearNoBias(b + "." + attn + ".to_v", kv, c)
                        .linear(b + "." + attn + ".to_out.0", c, c);
            }
            feedForward(t, b + ".ff", c);
            t.norm(b + ".norm1", c).norm(b + ".norm2", c).norm(b + ".norm3", c);
        }
        t.conv(p + ".proj_out", c, c, 1);
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
