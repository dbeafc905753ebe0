package org.meg.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A graph of ONNX operators (default domain, opset {@link #OPSET}) under construction: inputs,
 * outputs, float and int64 initializers, and nodes in topological order. Every method that adds a
 * node returns the name of its output, so a model's forward pass can be mirrored line by line:
 * {@code String y = g.op("Add", g.op("MatMul", x, w), b);}.
 *
 * <p>Written to a file by {@link OnnxWriter}. Names are unique within the graph.
 */
public final class OnnxGraph {
    /** ONNX operator set the graph is built for (LayerNormalization needs 17). */
    public static final int OPSET = 17;
    /** TensorProto.DataType FLOAT. */
    public static final int FLOAT = 1;
    /** TensorProto.DataType INT64. */
    public static final int INT64 = 7;

    /** A named graph input or output; each dimension is a Long (fixed) or a String (symbolic). */
    public record ValueInfo(String name, int elemType, List<Object> dims) {
    }

    /** An initializer: float32 values from an array, or int64 values. */
    public record Initializer(String name, INDArray floats, long[] ints, long[] dims) {
        /** Bytes of the raw little-endian data. */
        public long byteSize() {
            return floats != null ? 4L * floats.length() : 8L * ints.length;
        }
    }

    /** A node attribute: exactly one of the value fields is used, chosen by {@code kind}. */
    public record Attr(String name, Kind kind, long i, float f, long[] ints, String s) {
        /** AttributeProto.AttributeType values. */
        public enum Kind {
            FLOAT(1), INT(2), STRING(3), INTS(7);

            private final int code;

            Kind(int code) {
                this.code = code;
            }

            /** The protobuf enum value. */
            public int code() {
                return code;
            }
        }

        /** An int attribute. */
        public static Attr i(String name, long v) {
            return new Attr(name, Kind.INT, v, 0, null, null);
        }

        /** A float attribute. */
        public static Attr f(String name, float v) {
            return new Attr(name, Kind.FLOAT, 0, v, null, null);
        }

        /** An ints attribute. */
        public static Attr ints(String name, long... v) {
            return new Attr(name, Kind.INTS, 0, 0, v.clone(), null);
        }

        /** A string attribute. */
        public static Attr s(String name, String v) {
            return new Attr(name, Kind.STRING, 0, 0, null, v);
        }
    }

    /** One operator application. */
    public record Node(String opType, List<String> inputs, List<String> outputs, List<Attr> attrs) {
    }

    private final String name;
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final Map<String, Initializer> initializers = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String> intConstants = new LinkedHashMap<>();
    private final Map<Float, String> floatConstants = new LinkedHashMap<>();
    private int counter;

    private OnnxGraph(String name) {
        this.name = name;
    }

    /** An empty graph. */
    public static OnnxGraph named(String name) {
        return new OnnxGraph(name);
    }

    /** Declares a float graph input; dims are Long (fixed) or String (symbolic, e.g. "batch"). */
    public String input(String inputName, Object... dims) {
        inputs.add(new ValueInfo(inputName, FLOAT, checkedDims(dims)));
        return inputName;
    }

    /** Declares {@code value} as a float graph output under {@code outputName} (an Identity if renamed). */
    public void output(String value, String outputName, Object... dims) {
        String v = value.equals(outputName) ? value : op1("Identity", List.of(), List.of(value), outputName);
        outputs.add(new ValueInfo(v, FLOAT, checkedDims(dims)));
    }

    /** A float32 initializer holding a copy-free reference to {@code values} (written when the graph is). */
    public String weight(String hint, INDArray values) {
        if (values.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException(hint + ": ONNX export takes float32 arrays, got " + values.dataType());
        }
        String n = fresh(hint);
        initializers.put(n, new Initializer(n, values, null, values.shape()));
        return n;
    }

    /** A float32 initializer {@code values} reshaped to {@code shape} (a copy in c order). */
    public String weight(String hint, INDArray values, long... shape) {
        return weight(hint, values.dup('c').reshape('c', shape));
    }

    /** A 1-D int64 constant (shared between nodes asking for the same values). */
    public String ints(long... values) {
        String key = Arrays.toString(values);
        return intConstants.computeIfAbsent(key, k -> {
            String n = fresh("i64");
            initializers.put(n, new Initializer(n, null, values.clone(), new long[] {values.length}));
            return n;
        });
    }

    /** A float32 scalar constant (shared). */
    public String scalar(float value) {
        return floatConstants.computeIfAbsent(value, v -> {
            INDArray a = Nd4j.scalar(DataType.FLOAT, value).reshape(new long[0]);
            String n = fresh("f32");
            initializers.put(n, new Initializer(n, a, null, new long[0]));
            return n;
        });
    }

    /** A single-output node without attributes. */
    public String op(String opType, String... in) {
        return op1(opType, List.of(), List.of(in), fresh(opType.toLowerCase()));
    }

    /** A single-output node with attributes. */
    public String op(String opType, List<Attr> attrs, String... in) {
        return op1(opType, attrs, List.of(in), fresh(opType.toLowerCase()));
    }

    /** A node with {@code n} outputs. */
    public String[] opN(String opType, int n, List<Attr> attrs, String... in) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = fresh(opType.toLowerCase());
        }
        nodes.add(new Node(opType, List.of(in), List.of(out), List.copyOf(attrs)));
        return out;
    }

    private String op1(String opType, List<Attr> attrs, List<String> in, String out) {
        nodes.add(new Node(opType, List.copyOf(in), List.of(out), List.copyOf(attrs)));
        return out;
    }

    private String fresh(String hint) {
        return hint + "_" + counter++;
    }

    private static List<Object> checkedDims(Object[] dims) {
        for (Object d : dims) {
            if (!(d instanceof Long || d instanceof Integer || d instanceof String)) {
                throw new IllegalArgumentException("a dimension is a number or a symbolic name, got " + d);
            }
        }
        List<Object> out = new ArrayList<>();
        for (Object d : dims) {
            out.add(d instanceof Integer i ? Long.valueOf(i) : d);
        }
        return List.copyOf(out);
    }

    /** The graph's name. */
    public String name() {
        return name;
    }

    /** Graph inputs, in declaration order. */
    public List<ValueInfo> inputs() {
        return List.copyOf(inputs);
    }

    /** Graph outputs. */
    public List<ValueInfo> outputs() {
        return List.copyOf(outputs);
    }

    /** Initializers, in creation order. */
    public List<Initializer> initializers() {
        return List.copyOf(initializers.values());
    }

    /** Bytes of all initializers' raw data. */
    public long weightBytes() {
        return initializers.values().stream().mapToLong(Initializer::byteSize).sum();
    }

    /** Nodes, in topological order. */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }
}
