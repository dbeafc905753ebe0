package org.meg.vae;

import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meg.io.RenamedSource;
import org.meg.io.TensorSource;

/**
 * Diffusers {@code AutoencoderKL} keys -> original (CompVis) keys, so one object tree loads both
 * layouts. The table (diffusers -> original):
 *
 * <pre>
 * encoder.down_blocks.i.resnets.j            encoder.down.i.block.j
 * encoder.down_blocks.i.downsamplers.0.conv  encoder.down.i.downsample.conv
 * decoder.up_blocks.k.resnets.j              decoder.up.(L-1-k).block.j      (reverse order)
 * decoder.up_blocks.k.upsamplers.0.conv      decoder.up.(L-1-k).upsample.conv
 * *.mid_block.resnets.0 / .1                 *.mid.block_1 / block_2
 * *.mid_block.attentions.0.group_norm        *.mid.attn_1.norm
 *   to_q | query, to_k | key, to_v | value   q, k, v         (Linear [C,C] -> conv [C,C,1,1])
 *   to_out.0 | proj_attn                     proj_out        (Linear [C,C] -> conv [C,C,1,1])
 * *.conv_shortcut                            *.nin_shortcut
 * *.conv_norm_out                            *.norm_out
 * </pre>
 * Keys not in the table pass through unchanged, so a strict load reports them.
 * (query/key/value/proj_attn are the names of diffusers before 0.14.)
 */
public final class VaeKeys {
    private static final Pattern DOWN = Pattern.compile("^encoder\\.down_blocks\\.(\\d+)\\.(resnets|downsamplers)\\.(\\d+)\\.");
    private static final Pattern UP = Pattern.compile("^decoder\\.up_blocks\\.(\\d+)\\.(resnets|upsamplers)\\.(\\d+)\\.");
    private static final Pattern MID_RESNET = Pattern.compile("^(encoder|decoder)\\.mid_block\\.resnets\\.(\\d+)\\.");
    private static final Pattern MID_ATTN = Pattern.compile(
            "^(encoder|decoder)\\.mid_block\\.attentions\\.0\\.(group_norm|to_q|query|to_k|key|to_v|value|to_out\\.0|proj_attn)\\.");
    private static final Pattern ATTN_PROJ = Pattern.compile("^(encoder|decoder)\\.mid\\.attn_1\\.(q|k|v|proj_out)\\.weight$");

    private VaeKeys() {
    }

    /** The rename function for a VAE with {@code levels} resolution levels (4 for SD 1.x). */
    public static UnaryOperator<String> fromDiffusers(int levels) {
        return key -> rename(key, levels);
    }

    /** Gives the mid-attention Linear weights [C, C] their conv shape [C, C, 1, 1]; null keeps a shape. */
    public static BiFunction<String, long[], long[]> reshape() {
        return (canonical, shape) -> ATTN_PROJ.matcher(canonical).matches() && shape.length == 2
                ? new long[] {shape[0], shape[1], 1, 1}
                : null;
    }

    /** A diffusers {@code vae/diffusion_pytorch_model.safetensors} seen in original layout; levels counted from its keys. */
    public static TensorSource diffusersView(TensorSource diffusersVae) {
        int levels = 0;
        while (diffusersVae.names().contains("encoder.down_blocks." + levels + ".resnets.0.conv1.weight")) {
            levels++;
        }
        if (levels == 0) {
            throw new IllegalArgumentException("no encoder.down_blocks.0.resnets.0.conv1.weight: not a diffusers VAE");
        }
        return RenamedSource.of(diffusersVae, fromDiffusers(levels), reshape());
    }

    private static String rename(String key, int levels) {
        Matcher m = DOWN.matcher(key);
        if (m.find()) {
            String part = m.group(2).equals("resnets") ? "block." + m.group(3) : "downsample";
            key = "encoder.down." + m.group(1) + "." + part + "." + key.substring(m.end());
        }
        m = UP.matcher(key);
        if (m.find()) {
            int level = levels - 1 - Integer.parseInt(m.group(1));
            String part = m.group(2).equals("resnets") ? "block." + m.group(3) : "upsample";
            key = "decoder.up." + level + "." + part + "." + key.substring(m.end());
        }
        m = MID_RESNET.matcher(key);
        if (m.find()) {
            key = m.group(1) + ".mid.block_" + (Integer.parseInt(m.group(2)) + 1) + "." + key.substring(m.end());
        }
        m = MID_ATTN.matcher(key);
        if (m.find()) {
            String part = switch (m.group(2)) {
                case "group_norm" -> "norm";
                case "to_q", "query" -> "q";
                case "to_k", "key" -> "k";
                case "to_v", "value" -> "v";
                default -> "proj_out";
            };
            key = m.group(1) + ".mid.attn_1." + part + "." + key.substring(m.end());
        }
        return key.replace(".conv_shortcut.", ".nin_shortcut.").replace(".conv_norm_out.", ".norm_out.");
    }
}
