package org.meg.nn;

import org.meg.onnx.OnnxGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Pointwise activations; each returns a new array and leaves its input untouched, unless named "in place". */
public final class Activations {
    private static final double SQRT_HALF = Math.sqrt(0.5);

    private Activations() {
    }

    /** SiLU: {@code x * sigmoid(x)}. */
    public static INDArray silu(INDArray x) {
        return Transforms.sigmoid(x, true).muli(x);
    }

    /**
     * SiLU overwriting {@code x} (libnd4j's {@code swish}, the same {@code x / (1 + e^-x)} in one
     * pass): for a temporary the caller owns, one array fewer than {@link #silu} at the same values.
     */
    public static INDArray siluInPlace(INDArray x) {
        Nd4j.exec(new Swish(x, x));
        return x;
    }

    /** CLIP's quick GELU: {@code x * sigmoid(1.702 x)}. */
    public static INDArray quickGelu(INDArray x) {
        return Transforms.sigmoid(x.mul(1.702), false).muli(x);
    }

    /** Exact GELU: {@code 0.5 x (1 + erf(x / sqrt 2))} (ND4J's {@code gelu} is the sigmoid form). */
    public static INDArray gelu(INDArray x) {
        INDArray e = x.mul(SQRT_HALF);
        Nd4j.exec(new Erf(e, e));                                     // in place on the copy
        return e.addi(1.0).muli(x).muli(0.5);
    }

    /** SiLU in ONNX: {@code x * Sigmoid(x)}. */
    public static String silu(OnnxGraph g, String x) {
        return g.op("Mul", x, g.op("Sigmoid", x));
    }

    /** Exact GELU in ONNX opset 17 (no Gelu op before 20): {@code 0.5 x (1 + Erf(x / sqrt 2))}. */
    public static String gelu(OnnxGraph g, String x) {
        String erf = g.op("Erf", g.op("Mul", x, g.scalar((float) SQRT_HALF)));
        return g.op("Mul", g.op("Mul", x, g.op("Add", erf, g.scalar(1f))), g.scalar(0.5f));
    }
}
