package org.meg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meg.testing.Reference;

/** Hostile and valid safetensors files: every defect is an error that names it. */
class SafeTensorsFileTest {
    @TempDir
    Path dir;

    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static String message(Path p) {
        return assertThrows(SafeTensorsException.class, () -> SafeTensorsFile.open(p).close()).getMessage();
    }

    @Test
    void readsF16AndBf16ExactlyAsFloat32() throws IOException {
        // 1.0, -2.5, 65504 (max half), 2^-24 (smallest subnormal) in binary16; 1.0 and -3.140625 in bfloat16
        ByteBuffer d = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3c00).putShort((short) 0xc100).putShort((short) 0x7bff).putShort((short) 0x0001);
        d.putShort((short) 0x3f80).putShort((short) 0xc049);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}";
        Path p = raw(header, 0);
        Files.write(p, d.array(), java.nio.file.StandardOpenOption.APPEND);
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertArrayEquals(new float[] {1f, -2.5f, 65504f, 0x1p-24f}, f.floats("h"));
            assertArrayEquals(new float[] {1f, -3.140625f}, f.floats("b"));
            assertArrayEquals(new long[] {2, 2}, f.shape("h"));
        }
    }

    @Test
    void referenceFileHeaderIsRead() {
        try (SafeTensorsFile f = SafeTensorsFile.open(Reference.sdTiny("models/tiny-sd/original/tiny-sd.safetensors"))) {
            assertEquals(DType.F16, f.info("model.diffusion_model.input_blocks.0.0.weight").dtype());
            assertEquals(DType.I64, f.info("cond_stage_model.transformer.text_model.embeddings.position_ids").dtype());
            long[] ids = f.longs("cond_stage_model.transformer.text_model.embeddings.position_ids");
            assertEquals(76, ids[76]);
        }
    }

    @Test
    void truncatedFile() throws IOException {
        Path p = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertTrue(message(p).contains("outside the data section"), message(p));
    }

    @Test
    void headerLengthPastEnd() throws IOException {
        Path p = dir.resolve("h.safetensors");
        Files.write(p, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertTrue(message(p).contains("runs past the end"), message(p));
        Files.write(p, new byte[5]);
        assertTrue(message(p).contains("shorter than the 8-byte"), message(p));
    }

    @Test
    void giantHeaderLengthIsRefusedWithoutAllocating() throws IOException {
        Path p = dir.resolve("g.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
        assertTrue(message(p).contains("header length"), message(p));
    }

    @Test
    void overlappingOffsets() throws IOException {
        Path p = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertTrue(message(p).contains("overlap"), message(p));
    }

    @Test
    void unknownDtypeNamesIt() throws IOException {
        Path p = raw("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        String m = message(p);
        assertTrue(m.contains("F8_E4M3") && m.contains("'a'"), m);
    }

    @Test
    void shapeByteCountMismatch() throws IOException {
        Path p = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertTrue(message(p).contains("needs 12 bytes"), message(p));
    }

    @Test
    void nonUtf8Header() throws IOException {
        Path p = dir.resolve("u.safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(4).put(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
        Files.write(p, b.array());
        assertTrue(message(p).contains("UTF-8"), message(p));
    }

    @Test
    void negativeOrNonIntegerDimensions() throws IOException {
        assertTrue(message(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0))
                .contains("bad dimension"));
        assertTrue(message(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4))
                .contains("bad dimension"));
    }

    @Test
    void writerRoundTripsAndPadsHeader() throws IOException {
        Path p = dir.resolve("w.safetensors");
        SafeTensorsWriter.create().putF32("x", new float[] {1, 2, 3, 4, 5, 6}, 2, 3)
                .putI64("ids", new long[] {49406, 49407}, 1, 2).meta("k", "v").write(p);
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.floats("x"));
            assertArrayEquals(new long[] {49406, 49407}, f.longs("ids"));
            assertEquals("v", f.metadata().get("k"));
            assertEquals(6f, f.load("x").getFloat(1, 2));
        }
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
    }
}
