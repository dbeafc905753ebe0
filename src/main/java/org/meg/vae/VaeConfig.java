package org.meg.vae;

import java.util.ArrayList;
import java.util.List;
import org.meg.io.TensorSource;

/**
 * Shape of an SD 1.x {@code AutoencoderKL} (CompVis {@code ldm.modules.diffusionmodules.model}
 * Encoder/Decoder with {@code double_z=True}); defaults are SD 1.x's {@code first_stage_config}.
 *
 * @param ch           base channel count ({@code ddconfig.ch}; diffusers block_out_channels[0])
 * @param chMult       channel multiplier per resolution level ({@code ch_mult}); channels = ch * mult
 * @param numResBlocks ResNet blocks per encoder level ({@code num_res_blocks}); the decoder has one more
 * @param zChannels    latent channels ({@code z_channels}; the encoder emits 2 * zChannels: mean, logvar)
 * @param groups       GroupNorm groups (32 everywhere in SD 1.x; not visible in the weights)
 * @param scaling      latent scale factor: U-Net latents = scaling * z (0.18215; not visible in the weights)
 */
public record VaeConfig(int ch, List<Integer> chMult, int numResBlocks, int zChannels, int groups, double scaling) {
    /** GroupNorm epsilon used by every norm of the SD VAE (CompVis {@code Normalize}). */
    public static final double EPS = 1e-6;

    /** Validates and freezes the multiplier list. */
    public VaeConfig {
        chMult = List.copyOf(chMult);
        if (ch <= 0 || chMult.isEmpty() || numResBlocks <= 0 || zChannels <= 0 || groups <= 0 || scaling <= 0) {
            throw new IllegalArgumentException("invalid VAE config: ch=" + ch + " chMult=" + chMult
                    + " numResBlocks=" + numResBlocks + " zChannels=" + zChannels + " groups=" + groups
                    + " scaling=" + scaling);
        }
        for (int m : chMult) {
            if (m <= 0 || (ch * m) % groups != 0) {
                throw new IllegalArgumentException("channels " + ch + " x " + m + " do not split into "
                        + groups + " groups");
            }
        }
    }

    /** Stable Diffusion 1.x: ch 128, mult [1,2,4,4], 2 ResNets per level, 4 latent channels. */
    public static VaeConfig sd15() {
        return new VaeConfig(128, List.of(1, 2, 4, 4), 2, 4, 32, 0.18215);
    }

    /**
     * Reads the shape from original-layout weights (keys relative to {@code first_stage_model.},
     * or a diffusers file seen through {@link VaeKeys}); groups and scaling keep SD 1.x values.
     */
    public static VaeConfig detect(TensorSource w) {
        int ch = (int) require(w, "encoder.conv_in.weight")[0];                       // [ch, 3, 3, 3]
        List<Integer> mult = new ArrayList<>();
        while (w.names().contains("encoder.down." + mult.size() + ".block.0.conv1.weight")) {
            long out = w.shape("encoder.down." + mult.size() + ".block.0.conv1.weight")[0];
            if (out % ch != 0) {
                throw new IllegalArgumentException("encoder.down." + mult.size() + " has " + out
                        + " channels, not a multiple of ch=" + ch);
            }
            mult.add((int) (out / ch));
        }
        if (mult.isEmpty()) {
            throw new IllegalArgumentException("no encoder.down.0.block.0.conv1.weight: not a VAE in original layout");
        }
        int blocks = 0;
        while (w.names().contains("encoder.down.0.block." + blocks + ".conv1.weight")) {
            blocks++;
        }
        int z = (int) require(w, "post_quant_conv.weight")[0];                         // [z, z, 1, 1]
        VaeConfig d = sd15();
        return new VaeConfig(ch, mult, blocks, z, d.groups(), d.scaling());
    }

    /** Number of resolution levels. */
    public int levels() {
        return chMult.size();
    }

    /** Channels at level {@code i}. */
    public int channels(int level) {
        return ch * chMult.get(level);
    }

    /** Spatial down-scaling from image to latent: 2^(levels - 1) (8 for SD). */
    public int downFactor() {
        return 1 << (levels() - 1);
    }

    private static long[] require(TensorSource w, String key) {
        if (!w.names().contains(key)) {
            throw new IllegalArgumentException("missing key '" + key + "': not a VAE in original layout");
        }
        return w.shape(key);
    }
}
