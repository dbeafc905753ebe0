package org.meg.nn;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** GroupNorm over [N, C, ...]: statistics per (sample, group), then a per-channel affine. */
public final class GroupNorm {
    private final int groups;
    private final double eps;
    private final INDArray gamma;
    private final INDArray beta;
    private final int channels;

    private GroupNorm(int groups, double eps, INDArray gamma, INDArray beta) {
        this.groups = groups;
        this.eps = eps;
        this.channels = (int) gamma.length();
        this.gamma = gamma.reshape(1, channels, 1);
        this.beta = beta.reshape(1, channels, 1);
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        }
    }

    /** Loads {@code weight} and {@code bias} [channels]. */
    public static GroupNorm load(Weights w, int groups, int channels, double eps) {
        return new GroupNorm(groups, eps, w.take("weight", channels), w.take("bias", channels));
    }

    /** {@code x -> (x - mean) / sqrt(var + eps) * gamma + beta}, same shape. */
    public INDArray forward(INDArray x) {
        long[] shape = x.shape();
        long n = shape[0];
        INDArray v = x.dup('c').reshape('c', n, groups, -1);          // [N, G, C/G * HW]
        INDArray mean = v.mean(true, 2);                               // [N, G, 1]
        v.subi(mean);
        INDArray var = v.mul(v).mean(true, 2);                         // biased variance, as PyTorch
        INDArray rstd = Transforms.pow(var.addi(eps), -0.5, false);
        v.muli(rstd);
        INDArray y = v.reshape('c', n, channels, -1);                  // [N, C, HW]
        y.muli(gamma).addi(beta);
        return y.reshape('c', shape);
    }

    /**
     * The same norm on a rank-4 {@code x} [N, C, H, W] in ONNX opset 17, which has no GroupNorm:
     * {@code Reshape [N, G, -1] -> InstanceNormalization (scale 1, bias 0) -> Reshape back -> * gamma + beta}.
     */
    public String onnx(OnnxGraph g, String x) {
        String grouped = g.op("Reshape", x, g.ints(0, groups, -1));                    // [N, G, C/G * H W]
        String normed = g.op("InstanceNormalization", List.of(Attr.f("epsilon", (float) eps)), grouped,
                g.weight("gn_ones", Nd4j.ones(DataType.FLOAT, groups)), g.weight("gn_zeros", Nd4j.zeros(DataType.FLOAT, groups)));
        String back = g.op("Reshape", normed, g.op("Shape", x));                       // [N, C, H, W]
        String scaled = g.op("Mul", back, g.weight("gn_gamma", gamma, channels, 1, 1));
        return g.op("Add", scaled, g.weight("gn_beta", beta, channels, 1, 1));
    }
}
