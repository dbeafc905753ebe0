package org.meg.unet;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A numbered block of the U-Net: its layers {@code .0, .1, ...} applied in order (CompVis TimestepEmbedSequential). */
final class TimestepBlock {
    private final List<Layer> layers;

    private TimestepBlock(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    /** The layers in key order: layer i is the checkpoint's {@code <block>.i}. */
    static TimestepBlock of(List<Layer> layers) {
        return new TimestepBlock(layers);
    }

    /** {@code x [B, C, h, w] -> [B, C', h', w']}. */
    INDArray forward(INDArray x, Conditioning c) {
        INDArray h = x;
        for (Layer layer : layers) {
            h = layer.forward(h, c);
        }
        return h;
    }

    /** The same block in ONNX. */
    String onnx(OnnxGraph g, String x, GraphConditioning c) {
        String h = x;
        for (Layer layer : layers) {
            h = layer.onnx(g, h, c);
        }
        return h;
    }
}
