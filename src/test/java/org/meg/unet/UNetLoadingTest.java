package org.meg.unet;

import org.meg.io.RandomWeights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.meg.io.SafeTensorsException;
import org.meg.io.SafeTensorsFile;
import org.meg.io.TensorSource;
import org.meg.nn.Weights;

/** Strict loading, config detection and the diffusers key table, on tiny-sd and the SD 1.5 key list. */
class UNetLoadingTest {
    private static final UNetConfig TINY = new UNetConfig(4, 4, 32, List.of(1, 2, 2, 2), 2,
            List.of(true, true, true, false), 4, 32, 1, 32);

    @Test
    void detectsTinyConfigFromBothLayouts() {
        try (SafeTensorsFile o = TinySd.originalFile(); TensorSource d = TinySd.diffusersUnet()) {
            assertEquals(TINY, UNetConfig.detect(TinySd.unetOf(o), TinySd.ORIGINAL_HEADS));
            assertEquals(TINY, UNetConfig.detect(d, TinySd.diffusersHeads()));
        }
    }

    @Test
    void bothLayoutsLoadStrictlyWithNothingLeftOver() {
        try (SafeTensorsFile o = TinySd.originalFile(); TensorSource d = TinySd.diffusersUnet()) {
            for (TensorSource unet : List.of(TinySd.unetOf(o), d)) {
                Weights w = Weights.of(unet);
                UNet.load(w, TINY);
                assertEquals(List.of(), w.untaken(k -> false));
            }
        }
    }

    @Test
    void diffusersKeysRenameOntoExactlyTheOriginalKeysAndShapes() {
        try (SafeTensorsFile o = TinySd.originalFile(); TensorSource d = TinySd.diffusersUnet()) {
            assertEquals(shapes(TinySd.unetOf(o)), shapes(d));
        }
    }

    @Test
    void keyTableMatchesTinyFileAndDetectsSd15() {
        try (SafeTensorsFile o = TinySd.originalFile()) {
            assertEquals(shapes(TinySd.unetOf(o)), asText(OriginalLayout.keys(TINY)));
        }
        Map<String, long[]> sd15 = OriginalLayout.keys(UNetConfig.sd15());
        assertEquals(686, sd15.size());
        assertEquals(UNetConfig.sd15(), UNetConfig.detect(RandomWeights.of(sd15, 0), 8));
        long params = sd15.values().stream().mapToLong(s -> {
            long n = 1;
            for (long x : s) {
                n *= x;
            }
            return n;
        }).sum();
        assertEquals(859_520_964L, params);                           // SD 1.5 U-Net parameter count
    }

    @Test
    void missingKeyIsNamed() {
        String key = "input_blocks.4.0.skip_connection.weight";
        try (SafeTensorsFile o = TinySd.originalFile()) {
            TensorSource edited = EditedSource.without(TinySd.unetOf(o), key);
            SafeTensorsException e = assertThrows(SafeTensorsException.class,
                    () -> UNet.load(Weights.of(edited), TINY));
            assertTrue(e.getMessage().contains("'" + key + "'") && e.getMessage().contains("[64, 32, 1, 1]"),
                    e.getMessage());
        }
    }

    @Test
    void wrongShapeNamesKeyAndBothShapes() {
        String key = "output_blocks.8.0.in_layers.2.weight";
        try (SafeTensorsFile o = TinySd.originalFile()) {
            TensorSource edited = EditedSource.with(TinySd.unetOf(o), key, 64, 96, 1, 3);
            SafeTensorsException e = assertThrows(SafeTensorsException.class,
                    () -> UNet.load(Weights.of(edited), TINY));
            String m = e.getMessage();
            assertTrue(m.contains("'" + key + "'") && m.contains("[64, 96, 1, 3]") && m.contains("[64, 96, 3, 3]"), m);
        }
    }

    @Test
    void unexpectedKeyIsNamed() {
        String key = "output_blocks.3.2.conv.weight";
        try (SafeTensorsFile o = TinySd.originalFile()) {
            Weights w = Weights.of(EditedSource.with(TinySd.unetOf(o), key, 64, 64, 3, 3));
            UNet.load(w, TINY);
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> w.requireAllTaken(k -> false));
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void renameTableExamples() {
        var rename = UNetKeys.fromDiffusers(2, new boolean[] {true, true, true, false});
        assertEquals("input_blocks.4.0.skip_connection.weight", rename.apply("down_blocks.1.resnets.0.conv_shortcut.weight"));
        assertEquals("input_blocks.8.1.proj_in.bias", rename.apply("down_blocks.2.attentions.1.proj_in.bias"));
        assertEquals("input_blocks.9.0.op.weight", rename.apply("down_blocks.2.downsamplers.0.conv.weight"));
        assertEquals("output_blocks.2.1.conv.weight", rename.apply("up_blocks.0.upsamplers.0.conv.weight"));
        assertEquals("output_blocks.5.2.conv.bias", rename.apply("up_blocks.1.upsamplers.0.conv.bias"));
        assertEquals("output_blocks.11.0.emb_layers.1.weight", rename.apply("up_blocks.3.resnets.2.time_emb_proj.weight"));
        assertEquals("middle_block.1.transformer_blocks.0.attn2.to_k.weight",
                rename.apply("mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"));
        assertEquals("middle_block.2.out_layers.3.weight", rename.apply("mid_block.resnets.1.conv2.weight"));
        assertEquals("time_embed.2.bias", rename.apply("time_embedding.linear_2.bias"));
        assertEquals("out.0.weight", rename.apply("conv_norm_out.weight"));
        assertEquals("something.else", rename.apply("something.else"));
    }

    @Test
    void nearestResizeTakesFloorOfScaledIndex() {
        var x = org.nd4j.linalg.factory.Nd4j.create(new float[] {0, 1, 2}, new long[] {1, 1, 1, 3}, 'c');
        assertArrayEquals(new float[] {0, 0, 1, 1, 2}, Upsample.nearest(x, 1, 5).reshape(5).toFloatVector());
        assertArrayEquals(new float[] {0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2},
                Upsample.nearest(x, 2, 6).reshape(12).toFloatVector());   // the 2x path
    }

    private static Map<String, String> shapes(TensorSource s) {
        Map<String, String> m = new TreeMap<>();
        for (String k : new TreeSet<>(s.names())) {
            m.put(k, java.util.Arrays.toString(s.shape(k)));
        }
        return m;
    }

    private static Map<String, String> asText(Map<String, long[]> keys) {
        Map<String, String> m = new TreeMap<>();
        keys.forEach((k, v) -> m.put(k, java.util.Arrays.toString(v)));
        return m;
    }
}
