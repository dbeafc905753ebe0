package org.meg.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(model), 1 << 16)) {
            CodedOutputStream out = CodedOutputStream.newInstance(file);
            m.writeTo(out);
            out.flush();
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
        if (external == null || init.byteSize() < EXTERNAL_MIN_BYTES) {
            return m.raw(9, init);                                    // raw_data, encoded when written
        }
        byte[] raw = rawData(init);
        long offset = external.append(raw);
        m.msg(13, new Msg().str(1, "location").str(2, external.location));   // external_data entries
        m.msg(13, new Msg().str(1, "offset").str(2, Long.toString(offset)));
        m.msg(13, new Msg().str(1, "length").str(2, Long.toString(raw.length)));
        return m.i32(14, 1);                                          // data_location = EXTERNAL
    }

    private static byte[] rawData(Initializer init) {
        ByteBuffer b = ByteBuffer.allocate((int) init.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        if (init.floats() != null) {
            b.asFloatBuffer().put(init.floats().dup('c').data().asFloat(), 0, (int) init.floats().length());
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

    /**
     * One protobuf message, kept as a tree until it is written: scalar fields are encoded as they
     * are added, nested messages and raw tensor data stay parts, and each part knows its size, so the
     * whole model streams to the file with every length prefix known in advance. Copying each child's
     * bytes into its parent instead held an inline model's weights ~5 times on the heap.
     */
    private static final class Msg {
        private final List<Object> parts = new ArrayList<>();        // byte[] | Child | Raw
        private ByteArrayOutputStream pending;
        private CodedOutputStream pendingOut;
        private long size = -1;

        private record Child(int field, Msg msg) {
        }

        private record Raw(int field, Initializer init) {
        }

        Msg str(int field, String v) {
            return scalar(o -> o.writeString(field, v));
        }

        Msg i64(int field, long v) {
            return scalar(o -> o.writeInt64(field, v));
        }

        Msg i32(int field, int v) {
            return scalar(o -> o.writeInt32(field, v));
        }

        Msg f32(int field, float v) {
            return scalar(o -> o.writeFloat(field, v));
        }

        Msg bytesField(int field, byte[] v) {
            return scalar(o -> o.writeByteArray(field, v));
        }

        Msg msg(int field, Msg child) {
            return part(new Child(field, child));
        }

        /** A {@code bytes} field holding a tensor's little-endian data, made only when written. */
        Msg raw(int field, Initializer init) {
            return part(new Raw(field, init));
        }

        private Msg part(Object p) {
            flushPending();
            parts.add(p);
            size = -1;
            return this;
        }

        /** Encoded size in bytes. */
        long size() {
            if (size < 0) {
                flushPending();
                long n = 0;
                for (Object p : parts) {
                    if (p instanceof byte[] b) {
                        n += b.length;
                    } else if (p instanceof Child c) {
                        n += delimited(c.field(), c.msg().size());
                    } else {
                        Raw r = (Raw) p;
                        n += delimited(r.field(), r.init().byteSize());
                    }
                }
                size = n;
            }
            return size;
        }

        void writeTo(CodedOutputStream out) throws IOException {
            flushPending();
            for (Object p : parts) {
                if (p instanceof byte[] b) {
                    out.writeRawBytes(b);
                } else if (p instanceof Child c) {
                    out.writeTag(c.field(), WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt64NoTag(c.msg().size());
                    c.msg().writeTo(out);
                } else {
                    Raw r = (Raw) p;
                    out.writeTag(r.field(), WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt64NoTag(r.init().byteSize());
                    out.writeRawBytes(rawData(r.init()));
                }
            }
        }

        private static long delimited(int field, long length) {
            return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(length) + length;
        }

        private Msg scalar(Field f) {
            if (pending == null) {
                pending = new ByteArrayOutputStream();
                pendingOut = CodedOutputStream.newInstance(pending);
            }
            try {
                f.write(pendingOut);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            size = -1;
            return this;
        }

        private void flushPending() {
            if (pending != null) {
                try {
                    pendingOut.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                parts.add(pending.toByteArray());
                pending = null;
                pendingOut = null;
            }
        }
    }

    @FunctionalInterface
    private interface Field {
        void write(CodedOutputStream out) throws IOException;
    }
}
