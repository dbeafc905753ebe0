package org.meg.unet;

import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import java.util.ArrayList;
import java.util.List;
import org.meg.nn.Conv2d;
import org.meg.nn.GroupNorm;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Transformer over the h*w positions of a feature map, with cross-attention to the text
 * (CompVis {@code SpatialTransformer}, SD 1.x: 1x1-conv projections, {@code use_linear_projection=False}):
 * {@code x + proj_out(blocks(tokens(proj_in(norm(x)))))}.
 */
public final class SpatialTransformer implements Layer {
    private static final double EPS = 1e-6;

    private final GroupNorm norm;                                     // norm
    private final Conv2d projIn;                                      // proj_in (1x1)
    private final List<BasicTransformerBlock> blocks;                 // transformer_blocks.{d}
    private final Conv2d projOut;                                     // proj_out (1x1)

    private SpatialTransformer(GroupNorm norm, Conv2d projIn, List<BasicTransformerBlock> blocks, Conv2d projOut) {
        this.norm = norm;
        this.projIn = projIn;
        this.blocks = List.copyOf(blocks);
        this.projOut = projOut;
    }

    /** Loads a transformer over {@code channels}-wide maps with {@code depth} blocks. */
    public static SpatialTransformer load(Weights w, int channels, int contextDim, int heads, int depth, int groups) {
        List<BasicTransformerBlock> blocks = new ArrayList<>();
        for (int d = 0; d < depth; d++) {
            blocks.add(BasicTransformerBlock.load(w.child("transformer_blocks", d), channels, contextDim, heads));
        }
        return new SpatialTransformer(GroupNorm.load(w.child("norm"), groups, channels, EPS),
                Conv2d.load(w.child("proj_in"), channels, channels, 1, 1, 0), blocks,
                Conv2d.load(w.child("proj_out"), channels, channels, 1, 1, 0));
    }

    /** {@code x [B, C, h, w], context [B, S, contextDim] -> [B, C, h, w]}. */
    public INDArray forward(INDArray x, INDArray context) {
        long h = x.size(2);
        long w = x.size(3);
        // The 1x1 projections read and write tokens through transposed gemms: no permuted copies.
        INDArray tokens = projIn.pointwiseToTokens(norm.forward(x));                // [B, h*w, C], row-major (h, w)
        for (BasicTransformerBlock block : blocks) {
            tokens = block.forward(tokens, context);
        }
        return projOut.pointwiseFromTokens(tokens, h, w, x);                        // x + proj_out, [B, C, h, w]
    }

    @Override
    public INDArray forward(INDArray x, Conditioning c) {
        return forward(x, c.context());
    }

    @Override
    public String onnx(OnnxGraph g, String x, GraphConditioning c) {
        String p = projIn.onnx(g, norm.onnx(g, x));                                          // [B, C, h, w]
        String tokens = g.op("Transpose", List.of(Attr.ints("perm", 0, 2, 1)),
                g.op("Reshape", p, g.ints(0, 0, -1)));                                       // [B, h*w, C]
        for (BasicTransformerBlock block : blocks) {
            tokens = block.onnx(g, tokens, c.context());
        }
        String map = g.op("Reshape", g.op("Transpose", List.of(Attr.ints("perm", 0, 2, 1)), tokens),
                g.op("Shape", x));                                                           // [B, C, h, w]
        return g.op("Add", projOut.onnx(g, map), x);
    }
}
