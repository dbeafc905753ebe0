package org.meg.unet;

import org.meg.onnx.OnnxGraph;
import org.meg.nn.Conv2d;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Stride-2 3x3 convolution with padding 1: {@code [B, C, h, w] -> [B, C, ceil(h/2), ceil(w/2)]}. */
public final class Downsample implements Layer {
    private final Conv2d op;                                          // op

    private Downsample(Conv2d op) {
        this.op = op;
    }

    /** Loads {@code op.weight} [C, C, 3, 3] and {@code op.bias}. */
    public static Downsample load(Weights w, int channels) {
        return new Downsample(Conv2d.load(w.child("op"), channels, channels, 3, 2, 1));
    }

    /** {@code [B, C, h, w] -> [B, C, ceil(h/2), ceil(w/2)]}. */
    public INDArray forward(INDArray x) {
        return op.forward(x);
    }

    @Override
    public INDArray forward(INDArray x, Conditioning c) {
        return forward(x);
    }

    @Override
    public String onnx(OnnxGraph g, String x, GraphConditioning c) {
        return op.onnx(g, x);
    }
}
