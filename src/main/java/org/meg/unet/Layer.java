package org.meg.unet;

import org.meg.onnx.OnnxGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One member of a numbered U-Net block ({@code input_blocks.k.i}, {@code middle_block.i},
 * {@code output_blocks.k.i}): a ResBlock, a spatial transformer or a resampler, applied in turn
 * as CompVis {@code TimestepEmbedSequential} does.
 */
interface Layer {
    /** {@code x [B, C, h, w] -> [B, C', h', w']}; never modifies {@code x}. */
    INDArray forward(INDArray x, Conditioning c);

    /** The same layer as ONNX nodes on the graph value {@code x}; returns the output's name. */
    String onnx(OnnxGraph g, String x, GraphConditioning c);
}
