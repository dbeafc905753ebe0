package org.meg.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A safetensors file, read strictly and memory-mapped tensor by tensor.
 *
 * <p>Format (https://github.com/huggingface/safetensors, "Format"): an 8-byte little-endian
 * unsigned header length N, N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {dtype, shape, data_offsets: [begin, end]}} (offsets relative to the byte after the
 * header) plus an optional {@code __metadata__} string map, then the raw little-endian data.
 * Every structural fact is checked when the file is opened, so a hostile or truncated file is
 * an error naming the problem, never an out-of-memory or a wrong tensor.
 */
public final class SafeTensorsFile implements TensorSource {
    /** Largest header accepted (the reference implementation's limit is 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path path, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates a file; the data is read only when a tensor is loaded. */
    public static SafeTensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SafeTensorsException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static SafeTensorsFile parse(Path path, FileChannel ch) {
        try {
            long size = ch.size();
            if (size < 8) {
                throw error(path, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw error(path, "header length " + Long.toUnsignedString(headerLen)
                        + " is outside 2.." + MAX_HEADER_BYTES);
            }
            if (headerLen > size - 8) {
                throw error(path, "header length " + headerLen + " runs past the end of the file ("
                        + size + " bytes): truncated file?");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            String header = decodeUtf8(path, headerBuf.flip());
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, header, dataLen, metadata);
            return new SafeTensorsFile(path, ch, dataStart, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new SafeTensorsException(path + ": read failed: " + e.getMessage(), e);
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String header, long dataLen,
                                                       Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (IOException e) {
            throw error(path, "header is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw error(path, "header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode node = e.getValue();
            if (name.equals("__metadata__")) {
                if (!node.isObject()) {
                    throw error(path, "__metadata__ is not an object");
                }
                node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, parseEntry(path, name, node, dataLen));
        }
        checkNoOverlap(path, tensors, dataLen);
        return tensors;
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node, long dataLen) {
        if (!node.isObject()) {
            throw error(path, "tensor '" + name + "': entry is not an object");
        }
        JsonNode dt = node.get("dtype");
        JsonNode sh = node.get("shape");
        JsonNode off = node.get("data_offsets");
        if (dt == null || !dt.isTextual() || sh == null || !sh.isArray() || off == null
                || !off.isArray() || off.size() != 2) {
            throw error(path, "tensor '" + name + "': needs dtype, shape and data_offsets [begin, end]");
        }
        DType dtype = DType.parse(dt.asText(), name);
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw error(path, "tensor '" + name + "': bad dimension " + d + " in shape " + sh);
            }
            shape[i] = d.asLong();
        }
        for (int i = 0; i < 2; i++) {
            if (!off.get(i).isIntegralNumber() || !off.get(i).canConvertToLong() || off.get(i).asLong() < 0) {
                throw error(path, "tensor '" + name + "': bad data offset " + off.get(i));
            }
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin > end || end > dataLen) {
            throw error(path, "tensor '" + name + "': data offsets [" + begin + ", " + end
                    + "] are outside the data section of " + dataLen + " bytes");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), dtype.bytes());
        } catch (ArithmeticException ex) {
            throw error(path, "tensor '" + name + "': shape " + info.shapeString() + " overflows");
        }
        if (expected != end - begin) {
            throw error(path, "tensor '" + name + "': shape " + info.shapeString() + " of " + dtype
                    + " needs " + expected + " bytes but data_offsets give " + (end - begin));
        }
        return info;
    }

    private static void checkNoOverlap(Path path, Map<String, TensorInfo> tensors, long dataLen) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw error(path, "tensors '" + a.name() + "' and '" + b.name() + "' overlap in the data section");
            }
        }
    }

    private static String decodeUtf8(Path path, ByteBuffer bytes) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw error(path, "header is not valid UTF-8");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static SafeTensorsException error(Path path, String what) {
        return new SafeTensorsException(path + ": " + what);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to report than the error already being thrown
        }
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Header entry of a tensor; an error naming the key if absent. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw error(path, "no tensor named '" + name + "'");
        }
        return info;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public long[] shape(String name) {
        return info(name).shape().clone();
    }

    /** Raw little-endian bytes of a tensor, memory-mapped read-only. */
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        long len = info.end() - info.begin();
        if (len > Integer.MAX_VALUE) {
            throw error(path, "tensor '" + name + "' is larger than 2 GiB");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), len)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new SafeTensorsException(path + ": cannot map tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** A floating-point tensor converted to float32 values in row-major order. */
    public float[] floats(String name) {
        TensorInfo info = info(name);
        ByteBuffer b = bytes(name);
        int n = Math.toIntExact(info.elementCount());
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.f16ToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            default -> throw error(path, "tensor '" + name + "' is " + info.dtype() + ", not a float type");
        }
        return out;
    }

    /** An integer tensor (I64, I32, I16, I8, U8) as longs. */
    public long[] longs(String name) {
        TensorInfo info = info(name);
        ByteBuffer b = bytes(name);
        int n = Math.toIntExact(info.elementCount());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (info.dtype()) {
                case I64 -> b.getLong(8 * i);
                case I32 -> b.getInt(4 * i);
                case I16 -> b.getShort(2 * i);
                case I8 -> b.get(i);
                case U8 -> b.get(i) & 0xff;
                default -> throw error(path, "tensor '" + name + "' is " + info.dtype() + ", not an integer type");
            };
        }
        return out;
    }

    @Override
    public INDArray load(String name) {
        TensorInfo info = info(name);
        float[] data = floats(name);
        long[] shape = info.shape().length == 0 ? new long[] {1} : info.shape();
        return Nd4j.create(data, shape, 'c').castTo(DataType.FLOAT);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
