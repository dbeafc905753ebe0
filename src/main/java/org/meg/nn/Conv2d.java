package org.meg.nn;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.enums.WeightsFormat;

/** 2-D convolution, NCHW, PyTorch weight layout [out, in, kH, kW] (ND4J's OIYX). */
public final class Conv2d {
    private final INDArray weight;
    private final INDArray bias;
    private final Conv2DConfig config;
    private final int outChannels;
    private final int stride;
    private final int padding;

    private Conv2d(INDArray weight, INDArray bias, int stride, int padding) {
        this.weight = weight;
        this.bias = bias;
        this.outChannels = (int) weight.size(0);
        this.stride = stride;
        this.padding = padding;
        this.config = Conv2DConfig.builder()
                .kH(weight.size(2)).kW(weight.size(3))
                .sH(stride).sW(stride).pH(padding).pW(padding).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID)
                .dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX)
                .build();
    }

    /** Loads {@code weight} [out, in, k, k] and {@code bias} [out] from {@code w}. */
    public static Conv2d load(Weights w, int in, int out, int kernel, int stride, int padding) {
        INDArray weight = w.take("weight", out, in, kernel, kernel);
        INDArray bias = w.take("bias", out);
        return new Conv2d(weight, bias, stride, padding);
    }

    /** Loads {@code weight} [out, in, k, k] only, for a conv without bias (PyTorch {@code bias=False}). */
    public static Conv2d loadNoBias(Weights w, int in, int out, int kernel, int stride, int padding) {
        return new Conv2d(w.take("weight", out, in, kernel, kernel), null, stride, padding);
    }

    /** Builds from arrays already in memory; {@code bias} may be null. */
    public static Conv2d of(INDArray weight, INDArray bias, int stride, int padding) {
        return new Conv2d(weight, bias, stride, padding);
    }

    /** Output channels. */
    public int outChannels() {
        return outChannels;
    }

    /** {@code [N, in, H, W] -> [N, out, H', W']}. */
    public INDArray forward(INDArray x) {
        return bias == null
                ? Nd4j.cnn().conv2d(x, weight, config)
                : Nd4j.cnn().conv2d(x, weight, bias, config);
    }

    /** The same convolution as an ONNX {@code Conv} node on {@code x}; returns its output. */
    public String onnx(OnnxGraph g, String x) {
        List<Attr> attrs = List.of(Attr.ints("kernel_shape", weight.size(2), weight.size(3)),
                Attr.ints("strides", stride, stride), Attr.ints("pads", padding, padding, padding, padding));
        String w = g.weight("conv_weight", weight);
        return bias == null ? g.op("Conv", attrs, x, w) : g.op("Conv", attrs, x, w, g.weight("conv_bias", bias));
    }
}
