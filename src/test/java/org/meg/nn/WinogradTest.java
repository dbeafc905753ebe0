package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Winograd F(4x4, 3x3) against ND4J's direct conv2d (oneDNN), an independent implementation: sides
 * that are and are not multiples of 4 (a last tile partly outside the map), one tile, batches,
 * channel counts that split into whole and partial task blocks, with and without bias.
 *
 * <p>Tolerance 5e-5 of max |y|: both are float32 sums of in x 9 products in different orders, and
 * the F(4x4, 3x3) transforms scale rounding errors by their coefficients (up to 8 in A^T, 5 in B^T,
 * 1/24 in G); measured 0.8e-5 to 1.3e-5 of max |y| at 320-1920 channels (benchmarks/README.md),
 * ~10x F(2x2, 3x3)'s. A wrong coefficient or a misplaced tile gives errors of order max |y|.
 */
class WinogradTest {
    @ParameterizedTest(name = "N={0} in={1} out={2} {3}x{4} bias={5}")
    @CsvSource({
        "2, 16, 24, 8, 8, true",
        "1, 8, 8, 5, 7, true",
        "3, 4, 6, 2, 2, false",
        "1, 3, 5, 1, 1, true",
        "2, 40, 32, 17, 16, true",
        "1, 64, 64, 32, 32, false",
        "2, 40, 24, 32, 32, true",
        "2, 10, 6, 64, 64, true",
        "1, 7, 9, 6, 10, false",
        "2, 5, 3, 13, 9, true"
    })
    void matchesTheDirectConvolution(int n, int in, int out, int h, int w, boolean withBias) {
        INDArray weight = Nd4j.randn(1L, new long[] {out, in, 3, 3});
        INDArray bias = withBias ? Nd4j.randn(2L, new long[] {out}) : null;
        Conv2d direct = Conv2d.of(weight, bias, 1, 1);
        INDArray x = Nd4j.randn(3L, new long[] {n, in, h, w});
        INDArray expected = direct.oneDnnForward(x);
        INDArray actual = Winograd.conv3x3(x, weight, withBias ? bias.data().asFloat() : null);
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 5e-5 * scale, "max |winograd - oneDNN| = " + diff + " at max |y| = " + scale);
    }

    @org.junit.jupiter.api.Test
    void isBitIdenticalFromCallToCall() {
        // Planes run in parallel but each is computed by one thread in a fixed order, and the gemms
        // are ND4J's on fixed threads: the same inputs give the same bits (the project's determinism
        // rule), here over calls that also warm the JIT from the interpreter to C2.
        INDArray weight = Nd4j.randn(4L, new long[] {12, 20, 3, 3});
        INDArray x = Nd4j.randn(5L, new long[] {2, 20, 9, 10});
        float[] bias = Nd4j.randn(6L, new long[] {12}).data().asFloat();
        float[] first = Winograd.conv3x3(x, weight, bias).data().asFloat();
        for (int call = 0; call < 200; call++) {
            float[] again = Winograd.conv3x3(x, weight, bias).data().asFloat();
            if (call % 50 == 49) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(first, again, "call " + call);
            }
        }
    }
}
