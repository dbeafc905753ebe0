package org.meg.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Builds a safetensors file of F32, F16, I64 or raw tensors; names are written in sorted order. */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor; {@code data} is asked for only while the file is written, so large files stream. */
    private record Entry(DType dtype, long[] shape, long length, Supplier<byte[]> data) {
    }

    private final Map<String, Entry> entries = new TreeMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SafeTensorsWriter() {
    }

    /** A new, empty writer. */
    public static SafeTensorsWriter create() {
        return new SafeTensorsWriter();
    }

    /** Adds a float32 tensor given as row-major values and a shape. */
    public SafeTensorsWriter putF32(String name, float[] values, long... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return put(name, DType.F32, shape, b.array());
    }

    /** Adds a tensor as float32 (copied in row-major order). */
    public SafeTensorsWriter put(String name, INDArray array) {
        float[] v = array.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return putF32(name, v, array.shape());
    }

    /** Adds an int64 tensor. */
    public SafeTensorsWriter putI64(String name, long[] values, long... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return put(name, DType.I64, shape, b.array());
    }

    /** Adds a float16 tensor, rounding each value to nearest binary16. */
    public SafeTensorsWriter putF16(String name, float[] values, long... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(HalfFloats.floatToF16(v));
        }
        return put(name, DType.F16, shape, b.array());
    }

    /** Adds raw little-endian bytes already in the given dtype. */
    public SafeTensorsWriter putRaw(String name, DType dtype, long[] shape, byte[] data) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n * dtype.bytes() != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " of " + dtype + " needs " + n * dtype.bytes() + " bytes, got " + data.length);
        }
        return put(name, dtype, shape, data);
    }

    /**
     * Adds a tensor whose little-endian bytes are produced only when {@link #write} reaches it, so a
     * converter holds one tensor at a time; the bytes must be exactly the shape's size.
     */
    public SafeTensorsWriter putLazy(String name, DType dtype, long[] shape, Supplier<byte[]> data) {
        long n = dtype.bytes();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in "
                        + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return put(name, dtype, shape, n, data);
    }

    /** Adds a {@code __metadata__} entry. */
    public SafeTensorsWriter meta(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    private SafeTensorsWriter put(String name, DType dtype, long[] shape, byte[] data) {
        return put(name, dtype, shape, data.length, () -> data);
    }

    private SafeTensorsWriter put(String name, DType dtype, long[] shape, long length, Supplier<byte[]> data) {
        if (name.equals("__metadata__") || entries.containsKey(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved or already used");
        }
        entries.put(name, new Entry(dtype, shape.clone(), length, data));
        return this;
    }

    private static void checkCount(String name, int count, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in "
                        + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has " + n + " elements, got " + count + " values");
        }
    }

    /** Writes the file (header padded with spaces to a multiple of 8 bytes, as upstream does). */
    public void write(Path path) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            ArrayNode off = t.putArray("data_offsets");
            off.add(offset);
            offset += e.getValue().length();
            off.add(offset);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SafeTensorsException("cannot encode header: " + e.getMessage(), e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            try (OutputStream out = Files.newOutputStream(path)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(head);
                for (Map.Entry<String, Entry> e : entries.entrySet()) {
                    byte[] data = e.getValue().data().get();
                    if (data.length != e.getValue().length()) {
                        throw new SafeTensorsException(path + ": tensor '" + e.getKey() + "' produced "
                                + data.length + " bytes, expected " + e.getValue().length());
                    }
                    out.write(data);
                }
            }
        } catch (IOException e) {
            throw new SafeTensorsException(path + ": write failed: " + e.getMessage(), e);
        }
    }
}
