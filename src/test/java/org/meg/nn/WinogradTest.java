package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Winograd F(2x2, 3x3) against ND4J's direct conv2d (oneDNN), an independent implementation:
 * even and odd sides (a last tile half outside the map), one tile, batches, with and without bias.
 * Tolerance 5e-6 of max |y| (measured up to 1.2e-6 at 40 input channels): both are float32 sums
 * of in x 9 products in different orders, and the transforms only add, subtract and halve.
 */
class WinogradTest {
    @ParameterizedTest(name = "N={0} in={1} out={2} {3}x{4} bias={5}")
    @CsvSource({
        "2, 16, 24, 8, 8, true",
        "1, 8, 8, 5, 7, true",
        "3, 4, 6, 2, 2, false",
        "1, 3, 5, 1, 1, true",
        "2, 40, 32, 17, 16, true",
        "1, 64, 64, 32, 32, false"
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
        assertTrue(diff <= 5e-6 * scale, "max |winograd - oneDNN| = " + diff + " at max |y| = " + scale);
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
