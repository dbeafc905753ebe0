package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meg.io.TensorSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The linear's fused forms against the definition {@code x W^T + b (+ residual)} computed in double
 * from the same floats. Tolerance 1e-6 of max |y|: float32 sums of 64 products and two adds, in
 * whatever order the gemm takes (an ulp is 6e-8 relative).
 */
class LinearTest {
    @Test
    void productBiasAndResidualAreTheDefinition() {
        int in = 64;
        int out = 24;
        INDArray weight = Nd4j.randn(1L, new long[] {out, in});
        INDArray bias = Nd4j.randn(2L, new long[] {out});
        Linear linear = Linear.of(weight, bias);
        INDArray x = Nd4j.randn(3L, new long[] {2, 5, in});
        INDArray residual = Nd4j.randn(4L, new long[] {2, 5, out}).muli(10);
        INDArray residualBefore = residual.dup();
        double[][] want = new double[10][out];
        double[][] wantPlus = new double[10][out];
        float[] xs = x.data().asFloat();
        float[] ws = weight.data().asFloat();
        float[] bs = bias.data().asFloat();
        float[] rs = residual.data().asFloat();
        for (int r = 0; r < 10; r++) {
            for (int o = 0; o < out; o++) {
                double sum = bs[o];
                for (int i = 0; i < in; i++) {
                    sum += (double) xs[r * in + i] * ws[o * in + i];
                }
                want[r][o] = sum;
                wantPlus[r][o] = sum + rs[r * out + o];
            }
        }
        assertClose(want, linear.forward(x), "forward");
        INDArray product = linear.product(x);
        assertArrayEquals(new long[] {2, 5, out}, product.shape());
        assertClose(want, product.add(bias.reshape(1, 1, out)), "product + bias");
        INDArray plus = linear.forwardAdding(x, residual);
        assertArrayEquals(new long[] {2, 5, out}, plus.shape());
        assertClose(wantPlus, plus, "forwardAdding");
        assertEquals(residualBefore, residual, "the residual is not written");
        assertArrayEquals(bs, linear.biasValues());
        assertNull(Linear.of(weight, null).biasValues());
    }

    @Test
    void aStackedMapIsItsPartsSideBySide() {
        // Three [24, 64] maps with biases under a, b, c: the stacked map's columns [8i, 8i + 8) are
        // part i's definition, and columns(...) gives each part back as the same map.
        int in = 64;
        int out = 8;
        Map<String, INDArray> tensors = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            tensors.put("p" + i + ".weight", Nd4j.randn(10L + i, new long[] {out, in}));
            tensors.put("p" + i + ".bias", Nd4j.randn(20L + i, new long[] {out}));
        }
        TensorSource src = new TensorSource() {
            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public long[] shape(String name) {
                return tensors.get(name).shape();
            }

            @Override
            public INDArray load(String name) {
                return tensors.get(name).dup();
            }
        };
        Weights w = Weights.of(src);
        Linear stacked = Linear.loadStacked(in, out, true, w.child("p0"), w.child("p1"), w.child("p2"));
        w.requireAllTaken(k -> false);
        assertEquals(3 * out, stacked.outFeatures());
        INDArray x = Nd4j.randn(3L, new long[] {2, 5, in});
        float[] xs = x.data().asFloat();
        double[][] want = new double[10][3 * out];
        for (int p = 0; p < 3; p++) {
            float[] ws = tensors.get("p" + p + ".weight").data().asFloat();
            float[] bs = tensors.get("p" + p + ".bias").data().asFloat();
            double[][] part = new double[10][out];
            for (int r = 0; r < 10; r++) {
                for (int o = 0; o < out; o++) {
                    double sum = bs[o];
                    for (int i = 0; i < in; i++) {
                        sum += (double) xs[r * in + i] * ws[o * in + i];
                    }
                    want[r][p * out + o] = sum;
                    part[r][o] = sum;
                }
            }
            assertClose(part, stacked.columns(p * out, (p + 1) * out).forward(x), "columns of part " + p);
        }
        assertClose(want, stacked.forward(x), "stacked");
        assertThrows(IllegalArgumentException.class, () -> stacked.columns(16, 25));
    }

    @Test
    void wrongShapesAreRefusedByName() {
        Linear linear = Linear.of(Nd4j.randn(1L, new long[] {3, 4}), null);
        IllegalArgumentException features = assertThrows(IllegalArgumentException.class, () -> linear.product(Nd4j.zeros(2, 5)));
        assertTrue(features.getMessage().contains("4 features"), features.getMessage());
        IllegalArgumentException residual = assertThrows(IllegalArgumentException.class,
                () -> linear.forwardAdding(Nd4j.zeros(2, 4), Nd4j.zeros(2, 4)));
        assertTrue(residual.getMessage().contains("residual of [2, 3]"), residual.getMessage());
    }

    private static void assertClose(double[][] want, INDArray actual, String what) {
        float[] a = actual.data().asFloat();
        double scale = 0;
        for (double[] row : want) {
            for (double v : row) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int r = 0; r < want.length; r++) {
            for (int o = 0; o < want[r].length; o++) {
                assertEquals(want[r][o], a[r * want[r].length + o], 1e-6 * scale, what + " [" + r + ", " + o + "]");
            }
        }
    }
}
