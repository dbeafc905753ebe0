package org.meg.nn;

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
        long[] shape = x.shape();
        INDArray x2 = x.reshape('c', -1, in);
        // gemm into an uninitialised c-order result: INDArray.mmul measured 2-4x slower here (it
        // zero-fills and takes a slower path), even inside a workspace.
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x2.size(0), out);
        Nd4j.gemm(x2, weightT, y, false, false, 1.0, 0.0);
        if (bias != null) {
            y.addiRowVector(bias);
        }
        long[] outShape = shape.clone();
        outShape[outShape.length - 1] = out;
        return y.reshape('c', outShape);
    }

    /** The same map as ONNX {@code MatMul} (+ {@code Add}) on {@code x} [..., in]; returns its output. */
    public String onnx(OnnxGraph g, String x) {
        String y = g.op("MatMul", x, g.weight("linear_weight_t", weightT));
        return bias == null ? y : g.op("Add", y, g.weight("linear_bias", bias, out));
    }
}
