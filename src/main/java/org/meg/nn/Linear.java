package org.meg.nn;

import java.util.Arrays;
import org.meg.onnx.OnnxGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Affine map on the last axis, PyTorch weight layout [out, in]: {@code y = x W^T + b}. */
public final class Linear {
    private final INDArray weightT;
    private final INDArray bias;
    private final int in;
    private final int out;

    private Linear(INDArray weight, INDArray bias) {
        this.out = (int) weight.size(0);
        this.in = (int) weight.size(1);
        this.weightT = weight.transpose().dup('c');
        this.bias = bias == null ? null : bias.reshape(1, out);
    }

    /** Loads {@code weight} [out, in] and, if {@code withBias}, {@code bias} [out]. */
    public static Linear load(Weights w, int in, int out, boolean withBias) {
        INDArray weight = w.take("weight", out, in);
        INDArray bias = withBias ? w.take("bias", out) : null;
        return new Linear(weight, bias);
    }

    /**
     * One map computing {@code parts.length} maps of the same input side by side, for one gemm in
     * place of several (q, k and v of a self-attention: at 8192 x 320 -> 3 x 320 one gemm took 22.5
     * ms against 26 ms for three). Part i is {@code weight} [out, in] (and {@code bias} [out]) under
     * {@code parts[i]}; its output is columns {@code [i out, (i + 1) out)} of the result, which
     * {@link #columns} gives back as a map of its own.
     */
    public static Linear loadStacked(int in, int out, boolean withBias, Weights... parts) {
        INDArray weight = Nd4j.createUninitialized(DataType.FLOAT, parts.length * (long) out, in);
        INDArray bias = withBias ? Nd4j.createUninitialized(DataType.FLOAT, parts.length * (long) out) : null;
        for (int i = 0; i < parts.length; i++) {
            INDArrayIndex rows = NDArrayIndex.interval((long) i * out, (long) (i + 1) * out);
            weight.get(rows, NDArrayIndex.all()).assign(parts[i].take("weight", out, in));
            if (withBias) {
                bias.get(rows).assign(parts[i].take("bias", out));
            }
        }
        return new Linear(weight, bias);
    }

    /** The map of output features {@code [from, to)} alone: a copy, for export and tests. */
    public Linear columns(int from, int to) {
        if (from < 0 || to > out || from >= to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of a Linear with " + out + " outputs");
        }
        INDArray w = weightT.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).transpose().dup('c');
        INDArray b = bias == null ? null : bias.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, to)).dup('c');
        return new Linear(w, b);
    }

    /** Builds from a [out, in] weight and an optional [out] bias. */
    public static Linear of(INDArray weight, INDArray bias) {
        return new Linear(weight, bias);
    }

    /** Output features. */
    public int outFeatures() {
        return out;
    }

    /** {@code [..., in] -> [..., out]}. */
    public INDArray forward(INDArray x) {
        INDArray y = product(x);
        if (bias != null) {
            y.reshape('c', -1, out).addiRowVector(bias);
        }
        return y;
    }

    /**
     * {@code x W^T} without the bias, {@code [..., in] -> [..., out]}, for a caller that adds
     * {@link #biasValues} in a pass of its own (a fused kernel reading the product anyway).
     */
    public INDArray product(INDArray x) {
        long[] outShape = outShape(x);
        INDArray x2 = x.reshape('c', -1, in);
        // gemm into an uninitialised c-order result: INDArray.mmul measured 2-4x slower here (it
        // zero-fills and takes a slower path), even inside a workspace.
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x2.size(0), out);
        Nd4j.gemm(x2, weightT, y, false, false, 1.0, 0.0);
        return y.reshape('c', outShape);
    }

    /** The output's shape for {@code x [..., in]}: {@code [..., out]}; any other x is refused by name. */
    private long[] outShape(INDArray x) {
        long[] shape = x.shape().clone();                             // ND4J's shape() may be x's own array: never write it
        if (shape.length == 0 || shape[shape.length - 1] != in) {
            throw new IllegalArgumentException("Linear over " + in + " features got " + Arrays.toString(shape));
        }
        shape[shape.length - 1] = out;
        return shape;
    }

    /**
     * {@code x W^T + b + residual}, {@code residual [..., out]} not modified: the gemm accumulates
     * into {@code residual + b} (a new array), so the product is never an array of its own followed
     * by two adds (measured at 8192 x 320 -> 320: 6.6 vs 7.3 ms). The sum is rounded in another
     * order than {@code forward(x).add(residual)}: within float rounding of it.
     */
    public INDArray forwardAdding(INDArray x, INDArray residual) {
        long[] outShape = outShape(x);
        if (!Arrays.equals(residual.shape(), outShape)) {
            throw new IllegalArgumentException("a residual of " + Arrays.toString(outShape) + " expected, got "
                    + Arrays.toString(residual.shape()));
        }
        INDArray y = FusedKernels.dense(residual).reshape('c', -1, out);
        y = bias == null ? y.dup('c') : y.addRowVector(bias);
        Nd4j.gemm(x.reshape('c', -1, in), weightT, y, false, false, 1.0, 1.0);
        return y.reshape('c', outShape);
    }

    /** A copy of the bias [out], or null for none. */
    public float[] biasValues() {
        return bias == null ? null : bias.dup().data().asFloat();
    }

    /** The same map as ONNX {@code MatMul} (+ {@code Add}) on {@code x} [..., in]; returns its output. */
    public String onnx(OnnxGraph g, String x) {
        String y = g.op("MatMul", x, g.weight("linear_weight_t", weightT));
        return bias == null ? y : g.op("Add", y, g.weight("linear_bias", bias, out));
    }
}
