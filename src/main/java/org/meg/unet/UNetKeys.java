package org.meg.unet;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meg.io.RenamedSource;
import org.meg.io.TensorSource;

/**
 * Key renames from the diffusers {@code UNet2DConditionModel} layout to the original
 * (CompVis) one, for {@link RenamedSource}: the same {@link UNet} then loads either file.
 *
 * <p>Table (lpb = layers per block; diffusers up block i has the resolution of down level L-1-i):
 * <pre>
 * time_embedding.linear_1 / linear_2             time_embed.0 / time_embed.2
 * conv_in                                        input_blocks.0.0
 * down_blocks.{i}.resnets.{j}                    input_blocks.{1 + i(lpb+1) + j}.0
 * down_blocks.{i}.attentions.{j}                 input_blocks.{1 + i(lpb+1) + j}.1
 * down_blocks.{i}.downsamplers.0.conv            input_blocks.{(i+1)(lpb+1)}.0.op
 * mid_block.resnets.0 / attentions.0 / resnets.1 middle_block.0 / 1 / 2
 * up_blocks.{i}.resnets.{j}                      output_blocks.{i(lpb+1) + j}.0
 * up_blocks.{i}.attentions.{j}                   output_blocks.{i(lpb+1) + j}.1
 * up_blocks.{i}.upsamplers.0                     output_blocks.{i(lpb+1) + lpb}.{2 if attention else 1}
 * conv_norm_out / conv_out                       out.0 / out.2
 * resnet: norm1 conv1 time_emb_proj norm2 conv2 conv_shortcut
 *      -> in_layers.0 in_layers.2 emb_layers.1 out_layers.0 out_layers.3 skip_connection
 * </pre>
 * Transformer internals ({@code norm}, {@code proj_in}, {@code transformer_blocks...}) are named
 * alike in both layouts. A key outside the table is returned unchanged, so a strict load reports it.
 */
public final class UNetKeys {
    private static final Pattern BLOCK = Pattern.compile("(down|up)_blocks\\.(\\d+)\\.(resnets|attentions|downsamplers|upsamplers)\\.(\\d+)\\.(.*)");
    private static final Pattern MID = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.*)");
    private static final Pattern DIFFUSERS_RESNET = Pattern.compile("down_blocks\\.0\\.resnets\\.(\\d+)\\..*");
    private static final Pattern DIFFUSERS_LEVEL = Pattern.compile("down_blocks\\.(\\d+)\\..*");

    private UNetKeys() {
    }

    /**
     * The rename function diffusers key -> original key (relative to {@code model.diffusion_model.}).
     *
     * @param layersPerBlock    ResBlocks per down level (2 in SD 1.x)
     * @param levelHasAttention per down level, whether it has transformers (SD 1.x: true, true, true, false)
     */
    public static UnaryOperator<String> fromDiffusers(int layersPerBlock, boolean[] levelHasAttention) {
        boolean[] attention = levelHasAttention.clone();
        int stride = layersPerBlock + 1;
        return key -> {
            Matcher m = BLOCK.matcher(key);
            if (m.matches()) {
                boolean down = m.group(1).equals("down");
                int i = Integer.parseInt(m.group(2));
                String kind = m.group(3);
                int j = Integer.parseInt(m.group(4));
                String rest = m.group(5);
                if (down) {
                    return switch (kind) {
                        case "resnets" -> "input_blocks." + (1 + i * stride + j) + ".0." + resnet(rest);
                        case "attentions" -> "input_blocks." + (1 + i * stride + j) + ".1." + rest;
                        case "downsamplers" -> rest.startsWith("conv.")
                                ? "input_blocks." + ((i + 1) * stride) + ".0.op." + rest.substring(5) : key;
                        default -> key;
                    };
                }
                int level = attention.length - 1 - i;
                return switch (kind) {
                    case "resnets" -> "output_blocks." + (i * stride + j) + ".0." + resnet(rest);
                    case "attentions" -> "output_blocks." + (i * stride + j) + ".1." + rest;
                    case "upsamplers" -> level >= 0 && level < attention.length
                            ? "output_blocks." + (i * stride + layersPerBlock) + "." + (attention[level] ? 2 : 1) + "." + rest
                            : key;
                    default -> key;
                };
            }
            m = MID.matcher(key);
            if (m.matches()) {
                int j = Integer.parseInt(m.group(2));
                String rest = m.group(3);
                return m.group(1).equals("attentions") ? "middle_block." + (2 * j + 1) + "." + rest
                        : "middle_block." + (2 * j) + "." + resnet(rest);
            }
            return top(key);
        };
    }

    /**
     * A diffusers U-Net file seen in the original layout; layers per block and the attention
     * levels are read from its key names.
     */
    public static TensorSource view(TensorSource diffusersUnet) {
        int lpb = 0;
        int levels = 0;
        for (String k : diffusersUnet.names()) {
            Matcher r = DIFFUSERS_RESNET.matcher(k);
            if (r.matches()) {
                lpb = Math.max(lpb, Integer.parseInt(r.group(1)) + 1);
            }
            Matcher l = DIFFUSERS_LEVEL.matcher(k);
            if (l.matches()) {
                levels = Math.max(levels, Integer.parseInt(l.group(1)) + 1);
            }
        }
        boolean[] attention = new boolean[levels];
        for (String k : diffusersUnet.names()) {
            Matcher l = DIFFUSERS_LEVEL.matcher(k);
            if (l.matches() && k.contains(".attentions.")) {
                attention[Integer.parseInt(l.group(1))] = true;
            }
        }
        return RenamedSource.of(diffusersUnet, fromDiffusers(lpb, attention), (name, shape) -> null);
    }

    private static String top(String key) {
        String[][] table = {
            {"time_embedding.linear_1.", "time_embed.0."},
            {"time_embedding.linear_2.", "time_embed.2."},
            {"conv_in.", "input_blocks.0.0."},
            {"conv_norm_out.", "out.0."},
            {"conv_out.", "out.2."},
        };
        for (String[] row : table) {
            if (key.startsWith(row[0])) {
                return row[1] + key.substring(row[0].length());
            }
        }
        return key;
    }

    private static String resnet(String rest) {
        String[][] table = {
            {"norm1.", "in_layers.0."},
            {"conv1.", "in_layers.2."},
            {"time_emb_proj.", "emb_layers.1."},
            {"norm2.", "out_layers.0."},
            {"conv2.", "out_layers.3."},
            {"conv_shortcut.", "skip_connection."},
        };
        for (String[] row : table) {
            if (rest.startsWith(row[0])) {
                return row[1] + rest.substring(row[0].length());
            }
        }
        return rest;
    }
}
