package org.meg.unet;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import org.meg.nn.Conv2d;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nearest-neighbour upsampling to a given size, then a 3x3 convolution.
 *
 * <p>The size is that of the skip tensor the up path concatenates next: 2x for latent sides
 * divisible by 8, otherwise e.g. 3 -> 5 (diffusers {@code upsample_size}); nearest takes
 * {@code src = floor(dst * in / out)} as PyTorch's {@code interpolate(mode="nearest")}.
 */
public final class Upsample implements Layer {
    private final Conv2d conv;                                        // conv

    private Upsample(Conv2d conv) {
        this.conv = conv;
    }

    /** Loads {@code conv.weight} [C, C, 3, 3] and {@code conv.bias}. */
    public static Upsample load(Weights w, int channels) {
        return new Upsample(Conv2d.load(w.child("conv"), channels, channels, 3, 1, 1));
    }

    /** {@code [B, C, h, w] -> [B, C, outH, outW]}. */
    public INDArray forward(INDArray x, long outH, long outW) {
        if (outH == 2 * x.size(2) && outW == 2 * x.size(3)) {
            return conv.forwardUpsampled(x);                          // without the upsampled map where it can
        }
        return conv.forward(nearest(x, outH, outW));
    }

    @Override
    public INDArray forward(INDArray x, Conditioning c) {
        long[] size = c.upsampleSize();
        return size == null ? forward(x, 2 * x.size(2), 2 * x.size(3)) : forward(x, size[0], size[1]);
    }

    /** Nearest resize {@code [B, C, h, w] -> [B, C, outH, outW]}, {@code src = floor(dst * in / out)}. */
    public static INDArray nearest(INDArray x, long outH, long outW) {
        long h = x.size(2);
        long w = x.size(3);
        if (outH == 2 * h && outW == 2 * w) {
            return Nd4j.cnn().upsampling2d(x, 2, 2, true);
        }
        INDArray rows = Nd4j.exec(new Gather(x, Nd4j.createFromArray(sourceIndices(h, outH)), 2))[0];       // [B, C, outH, w]
        return Nd4j.exec(new Gather(rows, Nd4j.createFromArray(sourceIndices(w, outW)), 3))[0];         // [B, C, outH, outW]
    }

    private static int[] sourceIndices(long in, long out) {
        int[] idx = new int[(int) out];
        float scale = (float) in / out;                               // PyTorch nearest_idx: float scale, floorf
        for (int d = 0; d < out; d++) {
            idx[d] = (int) Math.min(in - 1, (long) Math.floor(d * scale));
        }
        return idx;
    }

    /**
     * The same layer in ONNX: {@code Resize} (nearest, asymmetric, floor: {@code src = floor(dst * in / out)})
     * to {@code [B, C] + } the last two dimensions of {@code c.upsampleLike()} (2x when null), then the conv.
     */
    @Override
    public String onnx(OnnxGraph g, String x, GraphConditioning c) {
        List<Attr> nearest = List.of(Attr.s("mode", "nearest"), Attr.s("coordinate_transformation_mode", "asymmetric"),
                Attr.s("nearest_mode", "floor"));
        String resized;
        if (c.upsampleLike() == null) {
            String scales = g.weight("upsample_scales", org.nd4j.linalg.factory.Nd4j.createFromArray(1f, 1f, 2f, 2f));
            resized = g.op("Resize", nearest, x, "", scales);
        } else {
            String batchChannels = g.op("Slice", g.op("Shape", x), g.ints(0), g.ints(2));
            String side = g.op("Slice", g.op("Shape", c.upsampleLike()), g.ints(2), g.ints(4));
            String sizes = g.op("Concat", List.of(Attr.i("axis", 0)), batchChannels, side);
            resized = g.op("Resize", nearest, x, "", "", sizes);
        }
        return conv.onnx(g, resized);
    }
}
