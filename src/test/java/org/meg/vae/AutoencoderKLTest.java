package org.meg.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meg.io.PrefixSource;
import org.meg.io.SafeTensorsFile;
import org.meg.io.TensorSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The tiny random-weight SD VAE against float64 PyTorch references (reference/sd-tiny README).
 *
 * <p>Tolerances: the README's 1e-4 for the posterior and every encoder-side intermediate, 5e-4
 * for decoder-side ones and decoded images: the decoder has more layers after the latent
 * (three ResNets per level plus upsampling), values grow along it, and float32 summation order
 * error accumulates with them (torch-f32 itself deviates 1.0e-5 there vs 3.5e-6 for the posterior).
 */
class AutoencoderKLTest {
    private static final double TOL_ENC = 1e-4;
    private static final double TOL_DEC = 5e-4;

    private static SafeTensorsFile original;
    private static SafeTensorsFile diffusers;
    private static SafeTensorsFile ref;

    @BeforeAll
    static void open() {
        original = SafeTensorsFile.open(Reference.SD_TINY.resolve("models/tiny-sd/original/tiny-sd.safetensors"));
        diffusers = SafeTensorsFile.open(
                Reference.SD_TINY.resolve("models/tiny-sd/diffusers/vae/diffusion_pytorch_model.safetensors"));
        ref = SafeTensorsFile.open(Reference.SD_TINY.resolve("outputs/tiny-sd/vae.safetensors"));
    }

    @AfterAll
    static void close() {
        original.close();
        diffusers.close();
        ref.close();
    }

    private static TensorSource view(String layout) {
        return layout.equals("original")
                ? PrefixSource.of(original, "first_stage_model.")
                : VaeKeys.diffusersView(diffusers);
    }

    @ParameterizedTest
    @ValueSource(strings = {"original", "diffusers"})
    void detectsTinyConfig(String layout) {
        VaeConfig cfg = VaeConfig.detect(view(layout));
        assertEquals(new VaeConfig(32, List.of(1, 1, 2, 2), 2, 4, 32, 0.18215), cfg);
        assertEquals(8, cfg.downFactor());
    }

    @ParameterizedTest
    @ValueSource(strings = {"original", "diffusers"})
    void matchesReferenceEverySize(String layout) {
        AutoencoderKL vae = AutoencoderKL.of(view(layout));            // strict: throws on any untaken key
        TreeSet<String> sizes = new TreeSet<>();
        for (String k : ref.names()) {
            if (k.endsWith(".image")) {
                sizes.add(k.substring(0, k.length() - ".image".length()));
            }
        }
        assertFalse(sizes.isEmpty());
        for (String hw : sizes) {
            System.out.println(layout + " " + hw);
            Map<String, INDArray> taps = new HashMap<>();
            Tap tap = (m, x) -> taps.put(m, x.dup());
            Posterior p = vae.encode(ref.load(hw + ".image"), tap);
            Reference.assertClose(hw + ".posterior_mean", p.mean(), ref.load(hw + ".posterior_mean"), TOL_ENC);
            Reference.assertClose(hw + ".posterior_logvar", p.logvar(), ref.load(hw + ".posterior_logvar"), TOL_ENC);
            Reference.assertClose(hw + ".posterior_std", p.std(), ref.load(hw + ".posterior_std"), TOL_ENC);
            INDArray dec = vae.decode(ref.load(hw + ".posterior_mean"), tap);
            Reference.assertClose(hw + ".decoded_from_mean", dec, ref.load(hw + ".decoded_from_mean"), TOL_DEC);
            INDArray dec2 = vae.decodeScaled(ref.load(hw + ".latent_scaled_input"));
            Reference.assertClose(hw + ".decoded_from_latent_scaled_input", dec2,
                    ref.load(hw + ".decoded_from_latent_scaled_input"), TOL_DEC);
            String prefix = hw + ".intermediate.";
            for (String k : new TreeSet<>(ref.names())) {
                if (k.startsWith(prefix)) {
                    String module = k.substring(prefix.length());
                    assertTrue(taps.containsKey(module), "no tap for " + module + "; have " + taps.keySet());
                    boolean decoderSide = module.startsWith("decoder") || module.equals("post_quant_conv");
                    Reference.assertClose(k, taps.get(module), ref.load(k), decoderSide ? TOL_DEC : TOL_ENC);
                }
            }
        }
    }

    @Test
    void scaledEncodeSamplesPosteriorWithInjectedNoise() {
        AutoencoderKL vae = AutoencoderKL.of(view("original"));
        try (SafeTensorsFile img2img = SafeTensorsFile.open(
                Reference.SD_TINY.resolve("outputs/tiny-sd/img2img_64x64.safetensors"))) {
            INDArray image = img2img.load("image");
            INDArray latents = vae.encodeScaled(image, img2img.load("posterior_eps"));
            Reference.assertClose("img2img init_latents_scaled", latents, img2img.load("init_latents_scaled"), TOL_ENC);
            INDArray mode = vae.encodeScaled(image, null);
            Reference.assertClose("encodeScaled(eps=null) = 0.18215*mean", mode,
                    img2img.load("posterior_mean").mul(0.18215), TOL_ENC);
        }
    }

    @Test
    void rejectsSizeNotMultipleOf8() {
        AutoencoderKL vae = AutoencoderKL.of(view("original"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> vae.encode(Nd4j.zeros(1, 3, 60, 64)));
        assertTrue(e.getMessage().contains("60x64") && e.getMessage().contains("multiple of 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> vae.encode(Nd4j.zeros(1, 3, 64, 66)));
        assertThrows(IllegalArgumentException.class, () -> vae.decode(Nd4j.zeros(1, 3, 8, 8)));
    }

    @Test
    void strictLoadNamesUnexpectedKey() {
        TensorSource base = view("original");
        TensorSource withExtra = new TensorSource() {
            @Override
            public java.util.Set<String> names() {
                java.util.Set<String> s = new java.util.LinkedHashSet<>(base.names());
                s.add("encoder.surprise.weight");
                return s;
            }

            @Override
            public long[] shape(String name) {
                return name.equals("encoder.surprise.weight") ? new long[] {1} : base.shape(name);
            }

            @Override
            public INDArray load(String name) {
                return base.load(name);
            }
        };
        Exception e = assertThrows(RuntimeException.class, () -> AutoencoderKL.of(withExtra));
        assertTrue(e.getMessage().contains("encoder.surprise.weight"), e.getMessage());
    }

    @Test
    void sd15Defaults() {
        VaeConfig c = VaeConfig.sd15();
        assertEquals(128, c.ch());
        assertEquals(List.of(1, 2, 4, 4), c.chMult());
        assertEquals(2, c.numResBlocks());
        assertEquals(4, c.zChannels());
        assertEquals(32, c.groups());
        assertEquals(0.18215, c.scaling());
        assertEquals(512, c.channels(3));
    }

    @Test
    void diffusersKeysRenameToOriginal() {
        var r = VaeKeys.fromDiffusers(4);
        assertEquals("encoder.down.2.block.0.nin_shortcut.weight", r.apply("encoder.down_blocks.2.resnets.0.conv_shortcut.weight"));
        assertEquals("encoder.down.0.downsample.conv.bias", r.apply("encoder.down_blocks.0.downsamplers.0.conv.bias"));
        assertEquals("decoder.up.3.block.2.norm1.weight", r.apply("decoder.up_blocks.0.resnets.2.norm1.weight"));
        assertEquals("decoder.up.1.upsample.conv.weight", r.apply("decoder.up_blocks.2.upsamplers.0.conv.weight"));
        assertEquals("decoder.mid.block_2.conv1.bias", r.apply("decoder.mid_block.resnets.1.conv1.bias"));
        assertEquals("encoder.mid.attn_1.proj_out.weight", r.apply("encoder.mid_block.attentions.0.to_out.0.weight"));
        assertEquals("encoder.mid.attn_1.q.bias", r.apply("encoder.mid_block.attentions.0.query.bias"));
        assertEquals("decoder.mid.attn_1.norm.weight", r.apply("decoder.mid_block.attentions.0.group_norm.weight"));
        assertEquals("decoder.norm_out.bias", r.apply("decoder.conv_norm_out.bias"));
        assertEquals("post_quant_conv.weight", r.apply("post_quant_conv.weight"));
        assertEquals(4, VaeKeys.reshape().apply("encoder.mid.attn_1.k.weight", new long[] {8, 8}).length);
        assertEquals(null, VaeKeys.reshape().apply("encoder.mid.attn_1.k.bias", new long[] {8}));
    }
}
