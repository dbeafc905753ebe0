package org.meg.bench;

import java.util.ArrayDeque;
import java.util.Deque;
import org.meg.text.ClipTextConfig;
import org.meg.unet.UNetConfig;
import org.meg.vae.VaeConfig;

/**
 * Analytic floating-point operation counts (one multiply-add = 2 FLOPs) of the gemm-like work:
 * convolution {@code 2 Cin Cout k^2 Hout Wout}, gemm {@code 2 m n k}. Norms, activations,
 * softmax, adds and copies are not counted (they are a few FLOPs per element, &lt; 1% of a U-Net step).
 * Each model walk mirrors the engine's forward pass layer by layer.
 */
final class Flops {
    private Flops() {
    }

    /** Convolution producing [out, h, w] from {@code in} channels with a k x k kernel, one sample. */
    static double conv(long in, long out, long k, long h, long w) {
        return 2.0 * in * out * k * k * h * w;
    }

    /** {@code [m, k] x [k, n]}. */
    static double gemm(long m, long n, long k) {
        return 2.0 * m * n * k;
    }

    /** Attention core {@code softmax(Q K^T) V} for T queries, S keys, total width C (all heads), one sample. */
    static double attentionCore(long t, long s, long c) {
        return gemm(t, s, c) + gemm(t, c, s);
    }

    /** GEGLU feed-forward on T tokens of width c: {@code c -> 8c} then {@code 4c -> c}, one sample. */
    static double geglu(long t, long c) {
        return gemm(t, 8 * c, c) + gemm(t, c, 4 * c);
    }

    /** One SD U-Net forward, batch {@code b}, latent h x w, text context of {@code s} tokens. */
    static double unet(UNetConfig cfg, long b, long h, long w, long s) {
        int c0 = cfg.modelChannels();
        int emb = cfg.timeEmbedDim();
        int lpb = cfg.layersPerBlock();
        double f = gemm(1, emb, c0) + gemm(1, emb, emb);                 // time_embed
        f += conv(cfg.inChannels(), c0, 3, h, w);                         // conv_in
        Deque<Integer> skips = new ArrayDeque<>();
        skips.push(c0);
        int ch = c0;
        for (int level = 0; level < cfg.levels(); level++) {
            for (int j = 0; j < lpb; j++) {
                f += resBlock(ch, cfg.channels(level), emb, h, w);
                ch = cfg.channels(level);
                if (cfg.hasAttention(level)) {
                    f += transformer(ch, h * w, s, cfg);
                }
                skips.push(ch);
            }
            if (level < cfg.levels() - 1) {
                h = (h + 1) / 2;
                w = (w + 1) / 2;
                f += conv(ch, ch, 3, h, w);                               // stride-2 downsample
                skips.push(ch);
            }
        }
        f += 2 * resBlock(ch, ch, emb, h, w) + transformer(ch, h * w, s, cfg);   // middle_block
        for (int level = cfg.levels() - 1; level >= 0; level--) {
            for (int j = 0; j <= lpb; j++) {
                f += resBlock(ch + skips.pop(), cfg.channels(level), emb, h, w);
                ch = cfg.channels(level);
                if (cfg.hasAttention(level)) {
                    f += transformer(ch, h * w, s, cfg);
                }
                if (j == lpb && level > 0) {
                    h *= 2;
                    w *= 2;
                    f += conv(ch, ch, 3, h, w);                           // upsample conv
                }
            }
        }
        f += conv(c0, cfg.outChannels(), 3, h, w);                        // out.2
        return b * f;
    }

    private static double resBlock(long in, long out, long emb, long h, long w) {
        double f = conv(in, out, 3, h, w) + conv(out, out, 3, h, w) + gemm(1, out, emb);
        return in == out ? f : f + conv(in, out, 1, h, w);
    }

    private static double transformer(long c, long n, long s, UNetConfig cfg) {
        long ctx = cfg.contextDim();
        double block = 4 * gemm(n, c, c) + attentionCore(n, n, c)        // attn1: q, k, v, out
                + 2 * gemm(n, c, c) + 2 * gemm(s, c, ctx) + attentionCore(n, s, c)   // attn2
                + geglu(n, c);
        return 2 * gemm(n, c, c) + cfg.transformerDepth() * block;       // proj_in, proj_out (1x1)
    }

    /** AutoencoderKL decode (post_quant_conv + decoder), batch {@code b}, latent h x w. */
    static double vaeDecode(VaeConfig cfg, long b, long h, long w) {
        int z = cfg.zChannels();
        int in = cfg.channels(cfg.levels() - 1);
        double f = conv(z, z, 1, h, w) + conv(z, in, 3, h, w);
        f += 2 * resnet(in, in, h, w) + 4 * gemm(h * w, in, in) + attentionCore(h * w, h * w, in);   // mid
        for (int i = cfg.levels() - 1; i >= 0; i--) {
            int out = cfg.channels(i);
            for (int j = 0; j < cfg.numResBlocks() + 1; j++) {
                f += resnet(j == 0 ? in : out, out, h, w);
            }
            if (i != 0) {
                h *= 2;
                w *= 2;
                f += conv(out, out, 3, h, w);
            }
            in = out;
        }
        return b * (f + conv(in, 3, 3, h, w));
    }

    private static double resnet(long in, long out, long h, long w) {
        double f = conv(in, out, 3, h, w) + conv(out, out, 3, h, w);
        return in == out ? f : f + conv(in, out, 1, h, w);
    }

    /** TAESD decoder (64 channels, blocks 3 / 3 / 3 / 1 around three x2 upsamples), batch {@code b}, latent h x w. */
    static double taesdDecode(long b, long h, long w) {
        long c = 64;
        double block = 3 * conv(c, c, 3, 1, 1);                           // per pixel
        double f = conv(4, c, 3, h, w) + 3 * block * h * w;
        for (int blocks : new int[] {3, 3, 1}) {
            h *= 2;
            w *= 2;
            f += conv(c, c, 3, h, w) + blocks * block * h * w;
        }
        return b * (f + conv(c, 3, 3, h, w));
    }

    /** CLIP text encoder on {@code t} tokens, batch {@code b} (the causal mask is applied to a full T x T product). */
    static double clip(ClipTextConfig c, long b, long t) {
        long h = c.hidden();
        double layer = 4 * gemm(t, h, h) + attentionCore(t, t, h)
                + gemm(t, c.intermediate(), h) + gemm(t, h, c.intermediate());
        return b * c.layers() * layer;
    }
}
