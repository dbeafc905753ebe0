package org.meg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conversion of the checkpoints made by {@code src/test/resources/ckpt/make_fixtures.py} (CPython pickle,
 * torch's zip layout); expected.json holds each tensor's row-major bytes as Python computed them.
 */
class ConvertWeightsTest {
    @TempDir
    Path tmp;

    static Path fixture(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = ConvertWeightsTest.class.getResourceAsStream("/ckpt/" + name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    static JsonNode expected(String ckpt) throws IOException {
        try (InputStream in = ConvertWeightsTest.class.getResourceAsStream("/ckpt/expected.json")) {
            return new ObjectMapper().readTree(in).get(ckpt);
        }
    }

    private static byte[] bytes(SafeTensorsFile f, String name) {
        ByteBuffer b = f.bytes(name);
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static long[] shape(JsonNode t) {
        long[] s = new long[t.get("shape").size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.get("shape").get(i).asLong();
        }
        return s;
    }

    /** Every tensor of the fixture arrives with its dtype, shape and exact bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"f32.ckpt", "f16.ckpt", "transposed.ckpt"})
    void roundTripsExactly(String ckpt) throws IOException {
        Path out = tmp.resolve("out.safetensors");
        ConvertWeights.Report r = ConvertWeights.convert(fixture(tmp, ckpt), out, false, false);
        JsonNode want = expected(ckpt);
        try (SafeTensorsFile f = SafeTensorsFile.open(out)) {
            assertEquals(want.size(), f.names().size());
            for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertEquals(e.getValue().get("dtype").asText(), f.info(e.getKey()).dtype().name(), e.getKey());
                assertArrayEquals(shape(e.getValue()), f.shape(e.getKey()), e.getKey());
                assertEquals(e.getValue().get("hex").asText(), HexFormat.of().formatHex(bytes(f, e.getKey())), e.getKey());
            }
        }
        assertEquals(List.of(), r.skipped());
        assertEquals(Map.of(out, want.size()), r.written());
    }

    /** --f32 widens F16 and BF16 exactly (Python's struct 'e' and HalfFloats agree); other types are untouched. */
    @Test
    void castsHalvesToF32() throws IOException {
        Path out = tmp.resolve("out.safetensors");
        ConvertWeights.Report r = ConvertWeights.convert(fixture(tmp, "f16.ckpt"), out, true, false);
        assertEquals(2, r.cast());
        JsonNode want = expected("f16.ckpt");
        try (SafeTensorsFile f = SafeTensorsFile.open(out)) {
            for (String n : List.of("h", "bf")) {
                assertEquals(DType.F32, f.info(n).dtype());
                assertEquals(want.get(n).get("f32hex").asText(), HexFormat.of().formatHex(bytes(f, n)), n);
            }
            ByteBuffer half = ByteBuffer.wrap(HexFormat.of().parseHex(want.get("h").get("hex").asText()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] got = f.floats("h");
            for (float g : got) {
                assertEquals(Float.floatToRawIntBits(HalfFloats.f16ToFloat(half.getShort())), Float.floatToRawIntBits(g));
            }
            assertEquals(DType.I64, f.info("ids").dtype());
            assertEquals(DType.F64, f.info("dbl").dtype());
            assertEquals(want.get("ids").get("hex").asText(), HexFormat.of().formatHex(bytes(f, "ids")));
        }
    }

    /** A Lightning file: state_dict found, scalars reported, EMA dropped, components split under full names. */
    @Test
    void splitsComponentsAndSkipsNonTensors() throws IOException {
        Path in = fixture(tmp, "nested.ckpt");
        Path dir = tmp.resolve("split");
        ConvertWeights.Report r = ConvertWeights.convert(in, dir, false, true);
        assertEquals(List.of("epoch (Long)", "global_step (Long)", "pytorch-lightning_version (String)", "lr (Double)"),
                r.skipped());
        assertEquals(2, r.droppedEma());
        Map<String, Set<String>> want = Map.of(
                "unet", Set.of("model.diffusion_model.conv_in.weight"),
                "vae", Set.of("first_stage_model.decoder.conv_out.bias"),
                "text_encoder", Set.of("cond_stage_model.transformer.text_model.final_layer_norm.weight"),
                "other", Set.of("betas"));
        JsonNode golden = expected("nested.ckpt");
        for (Map.Entry<String, Set<String>> e : want.entrySet()) {
            try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve(e.getKey() + ".safetensors"))) {
                assertEquals(e.getValue(), f.names());
                for (String n : f.names()) {
                    assertEquals(golden.get(n).get("hex").asText(), HexFormat.of().formatHex(bytes(f, n)), n);
                }
            }
        }
        assertEquals(4, r.written().size());

        Path one = tmp.resolve("ema.safetensors");
        ConvertWeights.Report withEma = ConvertWeights.convert(in, one, true, false, true);
        assertEquals(0, withEma.droppedEma());
        assertEquals(2, withEma.cast()); // the F16 conv_in weight and its EMA copy share one storage
        try (SafeTensorsFile f = SafeTensorsFile.open(one)) {
            assertEquals(6, f.names().size());
            assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 1.0f}, f.floats("model_ema.diffusion_modelconv_inweight"));
        }
    }

    @Test
    void refusesMaliciousImportsNamingThem() throws IOException {
        Path out = tmp.resolve("x.safetensors");
        String msg = assertThrows(PickleException.class,
                () -> ConvertWeights.convert(fixture(tmp, "malicious.ckpt"), out, false, false)).getMessage();
        assertTrue(msg.contains("refusing to import os.system at offset 18"), msg);
        msg = assertThrows(PickleException.class,
                () -> ConvertWeights.convert(fixture(tmp, "load_from_bytes.ckpt"), out, false, false)).getMessage();
        assertTrue(msg.contains("refusing to import torch.storage._load_from_bytes"), msg);
        assertFalse(Files.exists(out));
    }

    @Test
    void missingOrShortStoragesAreErrorsAndLeaveNoFile() throws IOException {
        Path out = tmp.resolve("x.safetensors");
        String msg = assertThrows(SafeTensorsException.class,
                () -> ConvertWeights.convert(fixture(tmp, "missing_storage.ckpt"), out, false, false)).getMessage();
        assertTrue(msg.contains("storage '0' has no entry archive/data/0"), msg);
        msg = assertThrows(SafeTensorsException.class,
                () -> ConvertWeights.convert(fixture(tmp, "short_storage.ckpt"), out, false, false)).getMessage();
        assertTrue(msg.contains("tensor 'x'") && msg.contains("has 8 bytes") && msg.contains("needs 36"), msg);
        assertFalse(Files.exists(out));
    }

    @Test
    void truncatedFilesAreErrors() throws IOException {
        byte[] whole = Files.readAllBytes(fixture(tmp, "f32.ckpt"));
        for (int n = 0; n < whole.length; n += 7) {
            Path cut = tmp.resolve("cut.ckpt");
            Files.write(cut, java.util.Arrays.copyOf(whole, n));
            assertThrows(SafeTensorsException.class,
                    () -> ConvertWeights.convert(cut, tmp.resolve("cut.safetensors"), false, false), "length " + n);
        }
    }
}
