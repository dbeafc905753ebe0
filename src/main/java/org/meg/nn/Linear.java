package org.meg.nn;

import java.util.Arrays;
import org.meg.onnx.OnnxGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
