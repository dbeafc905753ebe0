package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The im2col + gemm convolution against ND4J's conv2d (oneDNN), an independent implementation,
 * on the shapes the U-Net meets: 3x3 pad 1 at strides 1 and 2 on odd and even sides, 1x1, batched
 * (small maps) and per-sample (large maps) gemms. Tolerance 1e-5 relative to max |y|: float32
 * sums of in*9 products in different orders.
 */
class Conv2dTest {
    @ParameterizedTest(name = "N={0} in={1} out={2} k={3} stride={4} pad={5} {6}x{7}")
    @CsvSource({
        "2, 16, 24, 3, 1, 1, 8, 8",       // batched gemm (64 positions per sample)
        "3, 8, 8, 3, 2, 1, 5, 7",         // stride 2, odd sides: ceil(5/2) x ceil(7/2)
        "1, 8, 16, 3, 1, 1, 20, 20",      // per-sample gemm (400 positions), batch 1
        "2, 8, 16, 3, 1, 1, 17, 16",      // per-sample gemm, batch 2
        "2, 12, 20, 1, 1, 0, 9, 11",      // 1x1
        "2, 6, 10, 3, 1, 0, 6, 6"         // no padding
    })
    void gemmPathMatchesNd4jConv(int n, int in, int out, int k, int stride, int pad, int h, int w) {
        INDArray weight = Nd4j.randn(1L, new long[] {out, in, k, k});
        INDArray bias = Nd4j.randn(2L, new long[] {out});
        Conv2d conv = Conv2d.of(weight, bias, stride, pad);
        INDArray x = Nd4j.randn(3L, new long[] {n, in, h, w});
        INDArray expected = conv.oneDnnForward(x);
        INDArray actual = conv.gemmForward(x);
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, "max |gemm - oneDNN| = " + diff + " at max |y| = " + scale);
    }

    @Test
    void gemmPathTakesStridedViewsAndNoBias() {
        INDArray weight = Nd4j.randn(4L, new long[] {6, 5, 3, 3});
        Conv2d conv = Conv2d.of(weight, null, 1, 1);
        INDArray view = Nd4j.randn(5L, new long[] {2, 9, 7, 5}).permute(0, 3, 1, 2);   // [2, 5, 9, 7], not c-contiguous
        double diff = conv.oneDnnForward(view).sub(conv.gemmForward(view)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-4, "max diff " + diff);
    }

    /**
     * The tokens paths against {@link Conv2d#forward} plus the permutes and the residual add they
     * replace: the same sums of {@code in} products, by another gemm, so 1e-5 relative to max |y|;
     * the residual is a permuted view, to check that a non-dense one is read, not written.
     */
    @ParameterizedTest(name = "N={0} in={1} out={2} {3}x{4} bias={5}")
    @CsvSource({"2, 16, 24, 8, 8, true", "1, 12, 12, 5, 7, false", "3, 20, 8, 4, 6, true"})
    void pointwiseTokensPathsAreTheConvolutionAndItsPermutes(int n, int in, int out, int h, int w, boolean withBias) {
        INDArray weight = Nd4j.randn(6L, new long[] {out, in, 1, 1});
        Conv2d conv = Conv2d.of(weight, withBias ? Nd4j.randn(7L, new long[] {out}) : null, 1, 0);
        INDArray x = Nd4j.randn(8L, new long[] {n, in, h, w});
        INDArray expectedTokens = conv.forward(x).reshape('c', n, out, (long) h * w).permute(0, 2, 1);
        assertClose(expectedTokens, conv.pointwiseToTokens(x), 1e-5);

        Conv2d back = Conv2d.of(Nd4j.randn(9L, new long[] {in, out, 1, 1}), withBias ? Nd4j.randn(10L, new long[] {in}) : null, 1, 0);
        INDArray tokens = Nd4j.randn(11L, new long[] {n, (long) h * w, out});
        INDArray residual = Nd4j.randn(12L, new long[] {n, h, w, in}).permute(0, 3, 1, 2);
        INDArray residualBefore = residual.dup('c');
        INDArray map = tokens.permute(0, 2, 1).dup('c').reshape('c', n, out, h, w);
        INDArray expected = back.forward(map).add(residual);
        assertClose(expected, back.pointwiseFromTokens(tokens, h, w, residual), 1e-5);
        assertEquals(residualBefore, residual, "the residual is not written");
    }

    /**
     * {@code forward(x, perChannel, residual)} is {@code forward(x)} then the two adds, bit for bit,
     * on the Winograd path (320 channels at 32x32) and on the others (oneDNN, im2col + gemm, 1x1).
     */
    @ParameterizedTest(name = "N={0} in={1} out={2} k={3} {4}x{4}")
    @CsvSource({"2, 320, 16, 3, 32", "2, 8, 12, 3, 9", "1, 1280, 4, 3, 4", "2, 6, 10, 1, 7"})
    void addendsAreTheBitsOfAddsAfterForward(int n, int in, int out, int k, int side) {
        Conv2d conv = Conv2d.of(Nd4j.randn(13L, new long[] {out, in, k, k}), Nd4j.randn(14L, new long[] {out}), 1, k / 2);
        INDArray x = Nd4j.randn(15L, new long[] {n, in, side, side});
        INDArray perChannel = Nd4j.randn(16L, new long[] {n, out});
        INDArray residual = Nd4j.randn(17L, new long[] {n, out, side, side});
        INDArray expected = conv.forward(x).addi(perChannel.reshape(n, out, 1, 1)).addi(residual);
        assertArrayEquals(expected.data().asFloat(), conv.forward(x, perChannel, residual).data().asFloat());
        assertArrayEquals(conv.forward(x).addi(residual).data().asFloat(), conv.forward(x, null, residual).data().asFloat());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(x, Nd4j.zeros(DataType.FLOAT, n, out + 1), null));
        assertTrue(e.getMessage().contains("value per sample and channel"), e.getMessage());
    }

    @Test
    void pointwiseTokensPathsRejectWhatTheyCannotDo() {
        Conv2d conv3 = Conv2d.of(Nd4j.randn(1L, new long[] {4, 4, 3, 3}), null, 1, 1);
        assertThrows(IllegalStateException.class, () -> conv3.pointwiseToTokens(Nd4j.zeros(DataType.FLOAT, 1, 4, 3, 3)));
        Conv2d conv = Conv2d.of(Nd4j.randn(1L, new long[] {6, 4, 1, 1}), null, 1, 0);
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class,
                () -> conv.pointwiseToTokens(Nd4j.zeros(DataType.FLOAT, 1, 5, 3, 3)));
        assertTrue(depth.getMessage().contains("4 channels"), depth.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> conv.pointwiseFromTokens(Nd4j.zeros(DataType.FLOAT, 1, 8, 4), 3, 3, Nd4j.zeros(DataType.FLOAT, 1, 6, 3, 3)));
        IllegalArgumentException residual = assertThrows(IllegalArgumentException.class,
                () -> conv.pointwiseFromTokens(Nd4j.zeros(DataType.FLOAT, 1, 9, 4), 3, 3, Nd4j.zeros(DataType.FLOAT, 1, 6, 3, 4)));
        assertTrue(residual.getMessage().contains("residual"), residual.getMessage());
    }

    private static void assertClose(INDArray expected, INDArray actual, double relative) {
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= relative * scale, "max diff " + diff + " at max |y| = " + scale);
    }

    @Test
    void forwardUpsampledIsForwardOfTheUpsampledMapOnEveryPath() {
        // 320 -> 16 on a 16x16 map upsampled to 32x32 takes Winograd (which reads the map without
        // upsampling it), 8 -> 6 on 5x7 the direct path: both the bits of upsampling2d then forward.
        for (int[] s : new int[][] {{320, 16, 16, 16}, {8, 6, 5, 7}}) {
            Conv2d conv = Conv2d.of(Nd4j.randn(31L, new long[] {s[1], s[0], 3, 3}), Nd4j.randn(32L, new long[] {s[1]}), 1, 1);
            INDArray x = Nd4j.randn(33L, new long[] {2, s[0], s[2], s[3]});
            INDArray up = Nd4j.cnn().upsampling2d(x, 2, 2, true);
            assertEquals(s[0] == 320, conv.preferWinograd(up), "the path this case is meant to take");
            assertArrayEquals(conv.forward(up).data().asFloat(), conv.forwardUpsampled(x).data().asFloat(), s[0] + " channels");
        }
        Conv2d conv = Conv2d.of(Nd4j.randn(34L, new long[] {4, 3, 3, 3}), null, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forwardUpsampled(Nd4j.zeros(DataType.FLOAT, 1, 5, 4, 4)));
        assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
    }

    @Test
    void pathChoiceFollowsTheMeasuredRule() {
        INDArray x8 = Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8);
        assertTrue(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 1, 1, 1), null, 1, 0).preferGemm(x8), "1x1");
        assertFalse(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 640, 3, 3), null, 1, 1).preferGemm(x8), "640 x 3 x 3: oneDNN");
        assertTrue(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 1280, 3, 3), null, 1, 1).preferGemm(x8), "1280 x 3 x 3: gemm");
    }

    @Test
    void winogradIsChosenWhereItMeasuredFasterAndAgreesThere() {
        Conv2d wide = Conv2d.of(Nd4j.randn(6L, new long[] {8, 640, 3, 3}).muli(1.0 / 76), Nd4j.randn(7L, new long[] {8}), 1, 1);
        INDArray x64 = Nd4j.randn(8L, new long[] {1, 640, 64, 64});
        assertTrue(wide.preferWinograd(x64), "640 channels at 64x64");
        assertTrue(wide.preferWinograd(Nd4j.zeros(DataType.FLOAT, 1, 640, 32, 32)), "640 channels at 32x32");
        assertTrue(wide.preferWinograd(Nd4j.zeros(DataType.FLOAT, 1, 640, 16, 16)), "640 at 16x16");
        assertFalse(wide.preferWinograd(Nd4j.zeros(DataType.FLOAT, 1, 640, 16, 15)), "640 below 16x16");
        assertTrue(wide.preferWinograd(Nd4j.zeros(DataType.FLOAT, 1, 640, 32, 23)), "640 at 32 x 23");
        Conv2d wider = Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 1920, 3, 3), null, 1, 1);
        assertTrue(wider.preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 1920, 16, 16)), "1920 at 16x16");
        assertFalse(wider.preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 1920, 8, 8)), "1920 at 8x8");
        Conv2d vae = Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 128, 3, 3), null, 1, 1);
        assertTrue(vae.preferWinograd(Nd4j.zeros(DataType.FLOAT, 1, 128, 128, 128)), "128 channels at 128x128");
        assertFalse(vae.preferWinograd(Nd4j.zeros(DataType.FLOAT, 1, 128, 128, 127)), "128 channels below 128x128");
        assertFalse(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 64, 3, 3), null, 1, 1).preferWinograd(Nd4j.zeros(DataType.FLOAT, 1, 64, 128, 128)),
                "64 channels at 128x128");
        assertTrue(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 960, 3, 3), null, 1, 1).preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 960, 32, 32)), "960 at 32x32");
        Conv2d narrow = Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 320, 3, 3), null, 1, 1);
        assertTrue(narrow.preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 320, 64, 64)), "320 at 64x64");
        assertTrue(narrow.preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 320, 32, 32)), "320 at 32x32");
        assertFalse(narrow.preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 320, 16, 16)), "320 at 16x16");
        assertFalse(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 256, 3, 3), null, 1, 1).preferWinograd(Nd4j.zeros(DataType.FLOAT, 1, 256, 64, 64)),
                "256 at 64x64");
        assertTrue(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 1280, 3, 3), null, 1, 1).preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 1280, 16, 16)),
                "1280 at 16x16");
        assertFalse(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 1280, 3, 3), null, 1, 1).preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 1280, 8, 8)),
                "1280 at 8x8");
        assertFalse(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 960, 3, 3), null, 2, 1).preferWinograd(Nd4j.zeros(DataType.FLOAT, 2, 960, 64, 64)), "stride 2");
        INDArray expected = wide.oneDnnForward(x64);
        double diff = expected.sub(wide.forward(x64)).amaxNumber().doubleValue();
        assertTrue(diff <= 5e-5 * expected.amaxNumber().doubleValue(), "forward (Winograd) against oneDNN: " + diff);   // WinogradTest's bound
    }

    @ParameterizedTest(name = "N={0} in={1} out={2} k={3} pad={4} {5}x{6} bands of {7}")
    @CsvSource({
        "1, 4, 6, 3, 1, 130, 128, 64",   // two 64-row bands + a 2-row last band, zero rows at both edges
        "2, 3, 5, 3, 1, 40, 33, 8",      // batch 2, odd width, five 8-row bands
        "1, 2, 3, 3, 0, 37, 20, 10",     // no padding: no zero rows, output 35 rows in 10 + 10 + 10 + 5
        "1, 3, 4, 1, 0, 20, 9, 7",       // 1x1 (bands have no halo)
        "1, 3, 4, 3, 1, 12, 12, 1",      // one-row bands
        "1, 3, 4, 3, 1, 12, 12, 50"      // one band taller than the map
    })
    void bandedPathIsTheOneCallConvolution(int n, int in, int out, int k, int pad, int h, int w, int rows) {
        INDArray weight = Nd4j.randn(9L, new long[] {out, in, k, k});
        Conv2d conv = Conv2d.of(weight, Nd4j.randn(10L, new long[] {out}), 1, pad);
        INDArray x = Nd4j.randn(11L, new long[] {n, in, h, w});
        INDArray expected = conv.oneDnnForward(x);
        INDArray actual = conv.bandedForward(x, rows);
        assertArrayEquals(expected.shape(), actual.shape());
        // Tolerance 1e-6 of max |y|: the same oneDNN kernel on the same rows; only the blocking of
        // the rows into calls differs, which may change the order of a few sums.
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-6 * expected.amaxNumber().doubleValue(), "max |banded - one call| = " + diff);
    }

    @Test
    void bandsAreTakenOnLargeStrideOneMapsOnly() {
        Conv2d conv = Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 8, 3, 3), null, 1, 1);
        assertTrue(conv.preferBands(Nd4j.zeros(DataType.FLOAT, 1, 8, 128, 128)));
        assertFalse(conv.preferBands(Nd4j.zeros(DataType.FLOAT, 1, 8, 64, 64)));
        assertFalse(Conv2d.of(Nd4j.zeros(DataType.FLOAT, 4, 8, 3, 3), null, 2, 1).preferBands(Nd4j.zeros(DataType.FLOAT, 1, 8, 256, 256)), "stride 2");
    }
}
