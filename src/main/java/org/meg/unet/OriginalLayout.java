package org.meg.unet;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The original-layout U-Net key list (names relative to {@code model.diffusion_model.} and
 * shapes) a config implies, written as a table of keys independently of the model code and
 * checked against the tiny-sd file (UNetLoadingTest); with {@link org.meg.io.RandomWeights} it makes
 * random-weight models of any size for tests and benchmarks.
 */
public final class OriginalLayout {
    private final Map<String, long[]> keys = new LinkedHashMap<>();

    private OriginalLayout() {
    }

    /** Every U-Net key with its shape. */
    public static Map<String, long[]> keys(UNetConfig cfg) {
        OriginalLayout l = new OriginalLayout();
        int c0 = cfg.modelChannels();
        int emb = cfg.timeEmbedDim();
        int lpb = cfg.layersPerBlock();
        l.linear("time_embed.0", c0, emb);
        l.linear("time_embed.2", emb, emb);
        l.conv("input_blocks.0.0", cfg.inChannels(), c0, 3);
        Deque<Integer> skips = new ArrayDeque<>();
        skips.push(c0);
        int ch = c0;
        int k = 1;
        for (int level = 0; level < cfg.levels(); level++) {
            for (int j = 0; j < lpb; j++, k++) {
                l.res("input_blocks." + k + ".0", ch, cfg.channels(level), emb);
                ch = cfg.channels(level);
                if (cfg.hasAttention(level)) {
                    l.transformer("input_blocks." + k + ".1", ch, cfg);
                }
                skips.push(ch);
            }
            if (level < cfg.levels() - 1) {
                l.conv("input_blocks." + k + ".0.op", ch, ch, 3);
                skips.push(ch);
                k++;
            }
        }
        l.res("middle_block.0", ch, ch, emb);
        l.transformer("middle_block.1", ch, cfg);
        l.res("middle_block.2", ch, ch, emb);
        k = 0;
        for (int level = cfg.levels() - 1; level >= 0; level--) {
            for (int j = 0; j <= lpb; j++, k++) {
                String p = "output_blocks." + k;
                l.res(p + ".0", ch + skips.pop(), cfg.channels(level), emb);
                ch = cfg.channels(level);
                if (cfg.hasAttention(level)) {
                    l.transformer(p + ".1", ch, cfg);
                }
                if (j == lpb && level > 0) {
                    l.conv(p + (cfg.hasAttention(level) ? ".2" : ".1") + ".conv", ch, ch, 3);
                }
            }
        }
        l.norm("out.0", c0);
        l.conv("out.2", c0, cfg.outChannels(), 3);
        return l.keys;
    }

    private void res(String p, int in, int out, int emb) {
        norm(p + ".in_layers.0", in);
        conv(p + ".in_layers.2", in, out, 3);
        linear(p + ".emb_layers.1", emb, out);
        norm(p + ".out_layers.0", out);
        conv(p + ".out_layers.3", out, out, 3);
        if (in != out) {
            conv(p + ".skip_connection", in, out, 1);
        }
    }

    private void transformer(String p, int c, UNetConfig cfg) {
        norm(p + ".norm", c);
        conv(p + ".proj_in", c, c, 1);
        for (int d = 0; d < cfg.transformerDepth(); d++) {
            String b = p + ".transformer_blocks." + d;
            for (String attn : new String[] {"attn1", "attn2"}) {
                int kv = attn.equals("attn1") ? c : cfg.contextDim();
                keys.put(b + "." + attn + ".to_q.weight", new long[] {c, c});
                keys.put(b + "." + attn + ".to_k.weight", new long[] {c, kv});
                keys.put(b + "." + attn + ".to_v.weight", new long[] {c, kv});
                linear(b + "." + attn + ".to_out.0", c, c);
            }
            linear(b + ".ff.net.0.proj", c, 8 * c);
            linear(b + ".ff.net.2", 4 * c, c);
            norm(b + ".norm1", c);
            norm(b + ".norm2", c);
            norm(b + ".norm3", c);
        }
        conv(p + ".proj_out", c, c, 1);
    }

    private void conv(String p, int in, int out, int k) {
        keys.put(p + ".weight", new long[] {out, in, k, k});
        keys.put(p + ".bias", new long[] {out});
    }

    private void linear(String p, int in, int out) {
        keys.put(p + ".weight", new long[] {out, in});
        keys.put(p + ".bias", new long[] {out});
    }

    private void norm(String p, int c) {
        keys.put(p + ".weight", new long[] {c});
        keys.put(p + ".bias", new long[] {c});
    }
}
