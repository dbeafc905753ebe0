package org.meg.unet;

import java.util.ArrayList;
import java.util.List;
import org.meg.io.SafeTensorsException;
import org.meg.io.TensorSource;

/**
 * Sizes of an SD 1.x conditional U-Net (CompVis {@code UNetModel} with a spatial transformer).
 *
 * @param inChannels       latent channels in ({@code in_channels}, 4)
 * @param outChannels      noise-prediction channels out ({@code out_channels}, 4)
 * @param modelChannels    channels of level 0, C0 ({@code model_channels}, 320); the timestep sinusoid has C0 entries
 * @param channelMult      per-level multiplier of C0 ({@code channel_mult}, [1, 2, 4, 4])
 * @param layersPerBlock   ResBlocks per down level; up levels have one more ({@code num_res_blocks}, 2)
 * @param attentionLevels  per level, whether each ResBlock is followed by a spatial transformer
 *                         (SD 1.x: the first three, i.e. {@code attention_resolutions: [4, 2, 1]})
 * @param heads            attention heads, same in every transformer ({@code num_heads}, 8; head dim = C / heads)
 * @param contextDim       cross-attention context width ({@code context_dim}, 768 = CLIP ViT-L/14)
 * @param transformerDepth BasicTransformerBlocks per spatial transformer ({@code transformer_depth}, 1)
 * @param groups           GroupNorm groups everywhere (32)
 */
public record UNetConfig(int inChannels, int outChannels, int modelChannels, List<Integer> channelMult,
                         int layersPerBlock, List<Boolean> attentionLevels, int heads, int contextDim,
                         int transformerDepth, int groups) {

    /** Validates and freezes the lists. */
    public UNetConfig {
        channelMult = List.copyOf(channelMult);
        attentionLevels = List.copyOf(attentionLevels);
        if (channelMult.isEmpty() || channelMult.size() != attentionLevels.size()) {
            throw new IllegalArgumentException("channelMult " + channelMult + " and attentionLevels "
                    + attentionLevels + " must be non-empty and of equal length");
        }
        if (inChannels < 1 || outChannels < 1 || modelChannels < 1 || layersPerBlock < 1 || heads < 1
                || contextDim < 1 || transformerDepth < 1 || groups < 1) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        for (int level = 0; level < channelMult.size(); level++) {
            int c = modelChannels * channelMult.get(level);
            if (c % groups != 0 || (attentionLevels.get(level) && c % heads != 0)) {
                throw new IllegalArgumentException("level " + level + ": " + c + " channels do not split into "
                        + groups + " groups / " + heads + " heads");
            }
        }
    }

    /** Stable Diffusion 1.x (v1-inference.yaml). */
    public static UNetConfig sd15() {
        return new UNetConfig(4, 4, 320, List.of(1, 2, 4, 4), 2, List.of(true, true, true, false),
                8, 768, 1, 32);
    }

    /** Number of resolution levels (4 in SD 1.x). */
    public int levels() {
        return channelMult.size();
    }

    /** Channels of a level, {@code modelChannels * channelMult[level]}. */
    public int channels(int level) {
        return modelChannels * channelMult.get(level);
    }

    /** Whether a level's ResBlocks are followed by spatial transformers. */
    public boolean hasAttention(int level) {
        return attentionLevels.get(level);
    }

    /** Width of the timestep embedding after {@code time_embed}, 4 * C0 (1280). */
    public int timeEmbedDim() {
        return 4 * modelChannels;
    }

    /** The attention levels as an array, as {@link UNetKeys#fromDiffusers} takes them. */
    public boolean[] attentionArray() {
        boolean[] a = new boolean[levels()];
        for (int i = 0; i < a.length; i++) {
            a[i] = attentionLevels.get(i);
        }
        return a;
    }

    /**
     * Reads the sizes from the shapes of original-layout U-Net keys (relative to
     * {@code model.diffusion_model.}); heads cannot be seen in the weights, so they are given
     * (8 for SD 1.x). Groups are taken as 32.
     */
    public static UNetConfig detect(TensorSource unet, int heads) {
        long[] convIn = shape(unet, "input_blocks.0.0.weight");      // [C0, in, 3, 3]
        int modelChannels = (int) convIn[0];
        int inChannels = (int) convIn[1];
        int outChannels = (int) shape(unet, "out.2.weight")[0];      // [out, C0, 3, 3]
        // input_blocks: 1 (conv_in) + levels * (lpb + 1) - 1 (the last level has no downsampler);
        // the first downsampler sits at index lpb + 1.
        int inputBlocks = 0;
        while (hasPrefix(unet, "input_blocks." + inputBlocks + ".")) {
            inputBlocks++;
        }
        int firstDown = -1;
        for (int k = 1; k < inputBlocks && firstDown < 0; k++) {
            if (unet.names().contains("input_blocks." + k + ".0.op.weight")) {
                firstDown = k;
            }
        }
        int layersPerBlock = firstDown < 0 ? inputBlocks - 1 : firstDown - 1;
        if (layersPerBlock < 1 || inputBlocks % (layersPerBlock + 1) != 0) {
            throw new SafeTensorsException("cannot read the level structure from " + inputBlocks + " input_blocks");
        }
        int levels = inputBlocks / (layersPerBlock + 1);
        List<Integer> mult = new ArrayList<>();
        List<Boolean> attention = new ArrayList<>();
        for (int level = 0; level < levels; level++) {
            int k = 1 + level * (layersPerBlock + 1);
            int c = (int) shape(unet, "input_blocks." + k + ".0.out_layers.3.weight")[0];
            if (c % modelChannels != 0) {
                throw new SafeTensorsException("level " + level + " has " + c + " channels, not a multiple of " + modelChannels);
            }
            mult.add(c / modelChannels);
            attention.add(unet.names().contains("input_blocks." + k + ".1.proj_in.weight"));
        }
        int contextDim = (int) shape(unet, "middle_block.1.transformer_blocks.0.attn2.to_k.weight")[1];
        int depth = 0;
        while (hasPrefix(unet, "middle_block.1.transformer_blocks." + depth + ".")) {
            depth++;
        }
        return new UNetConfig(inChannels, outChannels, modelChannels, mult, layersPerBlock, attention,
                heads, contextDim, depth, 32);
    }

    private static long[] shape(TensorSource s, String key) {
        if (!s.names().contains(key)) {
            throw new SafeTensorsException("missing key '" + key + "' (needed to detect the U-Net config)");
        }
        return s.shape(key);
    }

    private static boolean hasPrefix(TensorSource s, String prefix) {
        for (String k : s.names()) {
            if (k.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
