package org.meg.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.meg.onnx.OnnxGraph.Attr;
import org.meg.onnx.OnnxGraph.Initializer;
import org.meg.onnx.OnnxGraph.Node;
import org.meg.onnx.OnnxGraph.ValueInfo;

/**
 * Serialises an {@link OnnxGraph} as an ONNX {@code ModelProto}
 * (<a href="https://github.com/onnx/onnx/blob/v1.16.0/onnx/onnx.proto">onnx.proto</a>, IR version 8),
 * with protobuf's wire encoder and no generated classes: the field numbers below are those of onnx.proto.
 *
 * <p>A protobuf message cannot exceed 2 GB, so a model with large weights (SD 1.5's U-Net is 3.4 GB
 * in fp32) keeps them as <em>external data</em>: one file {@code <model>.data} beside the model, each
 * tensor at a 4096-byte-aligned offset, named by a relative {@code location} as ONNX Runtime expects.
 */
public final class OnnxWriter {
    private static final long IR_VERSION = 8;
    private static final long PROTOBUF_LIMIT = (1L << 31) - 1;
    private static final long ALIGN = 4096;
    private static final long EXTERNAL_MIN_BYTES = 1024;

    private OnnxWriter() {
    }

    /** Writes the model with every weight inside the model file; fails clearly past protobuf's 2 GB limit. */
    public static void write(OnnxGraph graph, Path model) {
        long total = graph.weightBytes();
        if (total > PROTOBUF_LIMIT - (64L << 20)) {
            throw new IllegalArgumentException(String.format(
                    "%.2f GB of weights do not fit in one ONNX file (protobuf's 2 GB limit): write with external data",
                    total / 1e9));
        }
        writeModel(graph, model, null);
    }

    /** Writes the model with every tensor of 1 KB or more in {@code <model>.data} beside it. */
    public static void writeWithExternalData(OnnxGraph graph, Path model) {
        Path data = model.resolveSibling(model.getFileName() + ".data");
        try (OutputStream out = Files.newOutputStream(data)) {
            writeModel(graph, model, new External(data.getFileName().toString(), out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + data, e);
        }
    }

    private static void writeModel(OnnxGraph graph, Path model, External external) {
        Msg g = new Msg();
        for (Node n : graph.nodes()) {
            g.msg(1, node(n));                                        // GraphProto.node
        }
        g.str(2, graph.name());                                       // GraphProto.name
        for (Initializer init : graph.initializers()) {
            g.msg(5, tensor(init, external));                         // GraphProto.initializer
        }
        for (ValueInfo v : graph.inputs()) {
            g.msg(11, valueInfo(v));                                  // GraphProto.input
        }
        for (ValueInfo v : graph.outputs()) {
            g.msg(12, valueInfo(v));                                  // GraphProto.output
        }
        Msg opset = new Msg().str(1, "").i64(2, OnnxGraph.OPSET);     // OperatorSetIdProto{domain, version}
        Msg m = new Msg()
                .i64(1, IR_VERSION)                                   // ModelProto.ir_version
                .str(2, "meg")                                        // producer_name
                .str(3, "0.1.0")                                      // producer_version
                .msg(7, g)                                            // graph
                .msg(8, opset);                                       // opset_import
        try {
            Files.write(model, m.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + model, e);
        }
    }

    private static Msg node(Node n) {
        Msg m = new Msg();
        n.inputs().forEach(i -> m.str(1, i));                         // NodeProto.input
        n.outputs().forEach(o -> m.str(2, o));                        // output
        m.str(3, n.outputs().get(0));                                 // name
        m.str(4, n.opType());                                         // op_type
        for (Attr a : n.attrs()) {
            m.msg(5, attribute(a));                                   // attribute
        }
        return m;
    }

    private static Msg attribute(Attr a) {
        Msg m = new Msg().str(1, a.name());                           // AttributeProto.name
        switch (a.kind()) {
            case FLOAT -> m.f32(2, a.f());                            // f
            case INT -> m.i64(3, a.i());                              // i
            case STRING -> m.bytesField(4, a.s().getBytes(java.nio.charset.StandardCharsets.UTF_8));   // s
            case INTS -> {
                for (long v : a.ints()) {
                    m.i64(8, v);                                      // ints (unpacked, as proto2)
                }
            }
            default -> throw new IllegalStateException(a.kind().toString());
        }
        return m.i32(20, a.kind().code());                            // type
    }

    private static Msg tensor(Initializer init, External external) {
        Msg m = new Msg();
        for (long d : init.dims()) {
            m.i64(1, d);                                              // TensorProto.dims
        }
        m.i32(2, init.floats() != null ? OnnxGraph.FLOAT : OnnxGraph.INT64);   // data_type
        m.str(8, init.name());                                        // name
        byte[] raw = rawData(init);
        if (external == null || raw.length < EXTERNAL_MIN_BYTES) {
            return m.bytesField(9, raw);                              // raw_data
        }
        long offset = external.append(raw);
        m.msg(13, new Msg().str(1, "location").str(2, external.location));   // external_data entries
        m.msg(13, new Msg().str(1, "offset").str(2, Long.toString(offset)));
        m.msg(13, new Msg().str(1, "length").str(2, Long.toString(raw.length)));
        return m.i32(14, 1);                                          // data_location = EXTERNAL
    }

    private static byte[] rawData(Initializer init) {
        ByteBuffer b = ByteBuffer.allocate((int) init.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        if (init.floats() != null) {
            float[] f = init.floats().dup('c').data().asFloat();
            for (int i = 0; i < init.floats().length(); i++) {
                b.putFloat(f[i]);
            }
        } else {
            for (long v : init.ints()) {
                b.putLong(v);
            }
        }
        return b.array();
    }

    private static Msg valueInfo(ValueInfo v) {
        Msg shape = new Msg();
        for (Object d : v.dims()) {
            Msg dim = d instanceof Long n ? new Msg().i64(1, n) : new Msg().str(2, (String) d);   // dim_value | dim_param
            shape.msg(1, dim);                                        // TensorShapeProto.dim
        }
        Msg tensorType = new Msg().i32(1, v.elemType()).msg(2, shape);   // TypeProto.Tensor{elem_type, shape}
        return new Msg().str(1, v.name()).msg(2, new Msg().msg(1, tensorType));   // ValueInfoProto{name, type{tensor_type}}
    }

    /** The external data file being written, with its write position. */
    private static final class External {
        private final String location;
        private final OutputStream out;
        private long position;

        External(String location, OutputStream out) {
            this.location = location;
            this.out = out;
        }

        long append(byte[] raw) {
            try {
                long pad = (ALIGN - position % ALIGN) % ALIGN;
                out.write(new byte[(int) pad]);
                long offset = position + pad;
                out.write(raw);
                position = offset + raw.length;
                return offset;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write external data " + location, e);
            }
        }
    }

    /** One protobuf message being encoded. */
    private static final class Msg {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(buffer);

        Msg str(int field, String v) {
            return io(() -> out.writeString(field, v));
        }

        Msg i64(int field, long v) {
            return io(() -> out.writeInt64(field, v));
        }

        Msg i32(int field, int v) {
            return io(() -> out.writeInt32(field, v));
        }

        Msg f32(int field, float v) {
            return io(() -> out.writeFloat(field, v));
        }

        Msg bytesField(int field, byte[] v) {
            return io(() -> out.writeByteArray(field, v));
        }

        Msg msg(int field, Msg child) {
            return bytesField(field, child.bytes());
        }

        byte[] bytes() {
            io(out::flush);
            return buffer.toByteArray();
        }

        private Msg io(IoAction a) {
            try {
                a.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
