package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
        "2, 5, 3, 13, 9, true",
        "2, 150, 136, 12, 12, true"   // U in slices: 3 slices of input channels (64, 64, 22), 9 tasks of rows
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

    @ParameterizedTest(name = "N={0} in={1} out={2} {3}x{4} upsampled, bands of {5} rows")
    @CsvSource({
        "2, 16, 24, 4, 4, 100",     // one band
        "1, 8, 8, 5, 7, 100",       // odd source sides: 10 x 14, a last tile partly outside
        "2, 8, 6, 9, 6, 4",         // bands of 4 rows on 18 rows: each band's halo rows from two source rows
        "1, 6, 5, 7, 5, 5",         // bands that are not whole tile rows: halo rows that start mid-pair
        "2, 150, 136, 6, 6, 100",   // U in slices (few tiles per band)
        "1, 3, 4, 1, 1, 1"          // a single source value: a 2x2 map
    })
    void anUpsampledInputIsTheBitsOfUpsamplingFirst(int n, int in, int out, int h, int w, int rows) {
        // The transform reads each source value where the upsampled map would hold it, so every tile
        // sees the same inputs in the same order: equal bits, not a tolerance.
        INDArray weight = Nd4j.randn(11L, new long[] {out, in, 3, 3});
        float[] bias = Nd4j.randn(12L, new long[] {out}).data().asFloat();
        INDArray x = Nd4j.randn(13L, new long[] {n, in, h, w});
        INDArray up = Nd4j.cnn().upsampling2d(x, 2, 2, true);
        INDArray expected = Winograd.conv3x3(up, weight, bias, rows);
        INDArray actual = Winograd.conv3x3Upsampled(x, 2, weight, bias, rows);
        assertArrayEquals(new long[] {n, out, 2L * h, 2L * w}, actual.shape());
        assertArrayEquals(expected.data().asFloat(), actual.data().asFloat());
        if (rows >= 2 * h) {
            assertArrayEquals(expected.data().asFloat(), Winograd.conv3x3Upsampled(x, weight, bias).data().asFloat(),
                    "the entry point that picks its own bands");
        }
        // and it is the convolution of the upsampled map (against oneDNN, the tolerance above)
        INDArray direct = Conv2d.of(weight, Nd4j.createFromArray(bias), 1, 1).oneDnnForward(up);
        double scale = direct.amaxNumber().doubleValue();
        assertTrue(direct.sub(actual).amaxNumber().doubleValue() <= 5e-5 * scale);
    }

    @ParameterizedTest(name = "{0}x{1} in bands of {2} rows")
    @CsvSource({
        "16, 9, 4",      // four whole bands
        "17, 12, 8",     // two bands of 8, a last band of 1 row
        "9, 16, 100",    // one band taller than the map
        "13, 7, 5",      // bands that are not whole tile rows: their halo rows are read from the map
        "6, 6, 1"        // a band per row
    })
    void bandsOfRowsGiveTheSameSumsAsOneBand(int h, int w, int rows) {
        // Each output depends only on its 3x3 neighbourhood, which a band reads from the map (its
        // halo included). Bands of a multiple of 4 rows keep one band's tiling, so every tile is the
        // same float computation: identical bits (bandRows only makes such bands). Other heights
        // shift the tiles: the same sums within WinogradTest's bound of oneDNN.
        INDArray weight = Nd4j.randn(9L, new long[] {6, 10, 3, 3});
        INDArray x = Nd4j.randn(10L, new long[] {2, 10, h, w});
        float[] bias = Nd4j.randn(11L, new long[] {6}).data().asFloat();
        INDArray banded = Winograd.conv3x3(x, weight, bias, rows);
        if (rows % 4 == 0) {
            assertArrayEquals(Winograd.conv3x3(x, weight, bias, h).data().asFloat(), banded.data().asFloat());
        }
        INDArray expected = Conv2d.of(weight, Nd4j.create(bias), 1, 1).oneDnnForward(x);
        assertTrue(expected.sub(banded).amaxNumber().doubleValue() <= 5e-5 * expected.amaxNumber().doubleValue());
    }

    @org.junit.jupiter.api.Test
    void itsOwnWorkspaceReusedAcrossCallsChangesNoBits() {
        // Outside any workspace the transforms live in Winograd's own, reused call after call: a
        // call after one on other data (stale memory) gives the bits of a call in a fresh workspace.
        INDArray weight = Nd4j.randn(12L, new long[] {8, 12, 3, 3});
        float[] bias = Nd4j.randn(13L, new long[] {8}).data().asFloat();
        INDArray other = Nd4j.randn(14L, new long[] {2, 12, 20, 20}).muli(100);
        INDArray x = Nd4j.randn(15L, new long[] {2, 12, 18, 19});
        Conv2d.releaseScratch();
        Winograd.conv3x3(other, weight, bias);
        float[] reused = Winograd.conv3x3(x, weight, bias).data().asFloat();
        float[] fresh;
        try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace("winograd-test-fresh")) {
            fresh = Winograd.conv3x3(x, weight, bias).data().asFloat();
        }
        Conv2d.releaseScratch();
        assertArrayEquals(fresh, reused);
    }

    @ParameterizedTest(name = "blocks of {0} outputs, bands of {1} rows")
    @CsvSource({"3, 40", "5, 40", "1, 8", "7, 12"})
    void blocksOfOutputChannelsGiveTheSameSums(int perBlock, int rows) {
        // U and M in blocks of output channels (SD 1.5's 2560 -> 1280 would need 472 MB of U at
        // once): the same products per channel; within WinogradTest's bound of oneDNN and of one block.
        INDArray weight = Nd4j.randn(16L, new long[] {11, 9, 3, 3});
        INDArray x = Nd4j.randn(17L, new long[] {2, 9, 21, 14});
        float[] bias = Nd4j.randn(18L, new long[] {11}).data().asFloat();
        INDArray blocked = Winograd.conv3x3(x, weight, bias, rows, perBlock, false);
        INDArray one = Winograd.conv3x3(x, weight, bias, rows, 11, false);
        INDArray expected = Conv2d.of(weight, Nd4j.create(bias), 1, 1).oneDnnForward(x);
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(expected.sub(blocked).amaxNumber().doubleValue() <= 5e-5 * scale);
        assertTrue(one.sub(blocked).amaxNumber().doubleValue() <= 1e-6 * scale, "against one block");
        assertEquals(112, Winograd.outputsPerBlock(2560, 1280), "2560 -> 1280: 12 blocks of 112 outputs, 41 MB each, instead of 472 MB");
        assertEquals(28, Winograd.outputsPerBlock(2560, 28), "one block when it fits");
    }

    @ParameterizedTest(name = "N={0} in={1} out={2} {3}x{4}, bands of {5} rows")
    @CsvSource({
        "2, 150, 136, 12, 12, 12",   // row-major slices: 3 of input channels, 9 tasks of rows
        "2, 70, 20, 9, 14, 4",       // bands of one tile row, a last slice of 6 channels
        "1, 80, 30, 32, 32, 32"      // 64 tiles: slices in panels of 14 rows
    })
    void slicesOfUGiveTheBitsOfBlocks(int n, int in, int out, int h, int w, int rows) {
        // U made a slice of input channels at a time, with M carrying each fma chain from one slice
        // to the next, is the same float computation as the whole-U gemms: identical bits.
        INDArray weight = Nd4j.randn(21L, new long[] {out, in, 3, 3});
        INDArray x = Nd4j.randn(22L, new long[] {n, in, h, w});
        float[] bias = Nd4j.randn(23L, new long[] {out}).data().asFloat();
        float[] sliced = Winograd.conv3x3(x, weight, bias, rows, out, true).data().asFloat();
        assertArrayEquals(Winograd.conv3x3(x, weight, bias, rows, out, false).data().asFloat(), sliced);
        assertArrayEquals(Winograd.conv3x3(x, weight, bias, rows, 7, false).data().asFloat(), sliced);
    }

    @ParameterizedTest(name = "N={0} in={1} out={2} {3}x{4}, bands of {5} rows, sliced={6}")
    @CsvSource({
        "2, 16, 24, 8, 8, 8, false",     // blocks, one band
        "2, 70, 20, 9, 14, 4, true",     // slices, bands of one tile row, sides not multiples of 4
        "1, 12, 10, 17, 5, 8, false",    // bands with a last band of 1 row, a map narrower than a vector
        "3, 9, 7, 3, 3, 4, true"         // one tile per sample
    })
    void addendsAreTheBitsOfAddsAfterTheConvolution(int n, int in, int out, int h, int w, int rows, boolean sliced) {
        // The output pass adds the value per (sample, channel), then the map, each rounded once, as
        // two adds after the convolution do: identical bits. The added map is a permuted view (read
        // through a dense copy) and is not written.
        INDArray weight = Nd4j.randn(31L, new long[] {out, in, 3, 3});
        INDArray x = Nd4j.randn(32L, new long[] {n, in, h, w});
        float[] bias = Nd4j.randn(33L, new long[] {out}).data().asFloat();
        INDArray perChannel = Nd4j.randn(34L, new long[] {n, out}).muli(10);
        INDArray map = Nd4j.randn(35L, new long[] {n, h, w, out}).permute(0, 3, 1, 2);
        INDArray mapBefore = map.dup('c');
        INDArray expected = Winograd.conv3x3(x, weight, bias, rows, out, sliced)
                .addi(perChannel.reshape(n, out, 1, 1)).addi(map);
        Winograd.Addends both = new Winograd.Addends(perChannel.dup().data().asFloat(), map);
        assertArrayEquals(expected.data().asFloat(), Winograd.conv3x3(x, weight, bias, rows, out, sliced, both).data().asFloat());
        assertEquals(mapBefore, map, "the added map is not written");
        INDArray onlyMap = Winograd.conv3x3(x, weight, null, rows, out, sliced).addi(map);
        assertArrayEquals(onlyMap.data().asFloat(),
                Winograd.conv3x3(x, weight, null, rows, out, sliced, new Winograd.Addends(null, map)).data().asFloat());
    }

    @org.junit.jupiter.api.Test
    void addendsOfTheWrongShapeAreRefusedByName() {
        INDArray weight = Nd4j.randn(1L, new long[] {4, 3, 3, 3});
        INDArray x = Nd4j.randn(2L, new long[] {2, 3, 5, 5});
        IllegalArgumentException perChannel = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Winograd.conv3x3(x, weight, null, new Winograd.Addends(new float[4], null)));
        assertTrue(perChannel.getMessage().contains("8 expected"), perChannel.getMessage());
        IllegalArgumentException map = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Winograd.conv3x3(x, weight, null, new Winograd.Addends(null, Nd4j.zeros(2, 4, 5, 4))));
        assertTrue(map.getMessage().contains("[2, 4, 5, 5]"), map.getMessage());
    }

    @org.junit.jupiter.api.Test
    void bandsKeepOneBandsTransformsUnderTheBudget() {
        // A 512x512 VAE decoder conv (128 -> 128, batch 1): V and M would be 0.6 GB unbanded.
        int rows = Winograd.bandRows(1, 128, 128, 512, 512);
        long bytes = 36L * (128 + 128) * ((rows + 3) / 4) * (512 / 4) * Float.BYTES;
        assertTrue(rows % 4 == 0 && rows < 512 && bytes <= Winograd.BAND_BYTES, rows + " rows, " + bytes + " bytes");
        assertTrue(36L * (128 + 128) * ((rows + 7) / 4) * (512 / 4) * Float.BYTES > Winograd.BAND_BYTES, "the most rows that fit");
        assertEquals(32, Winograd.bandRows(2, 640, 640, 64, 64), "the U-Net's 640 -> 640 at 64x64 (94 MB) in two bands");
        assertEquals(64, Winograd.bandRows(2, 320, 320, 64, 64), "320 -> 320 at 64x64 (47 MB) in one");
    }

    @org.junit.jupiter.api.Test
    void callsFromParallelTasksGiveTheBitsOfSequentialOnes() {
        // Convolutions called from fork-join tasks, as a library user's parallel stream would: each
        // call's own parallel loops then run on the same pool, and a worker waiting in one of them
        // can pick up another whole call, nested on the same thread. Each must get its own U, V and
        // M; shapes differ so that a shared buffer would mix them.
        int calls = 12;
        INDArray[] xs = new INDArray[calls];
        INDArray[] ws = new INDArray[calls];
        float[][] expected = new float[calls][];
        for (int i = 0; i < calls; i++) {
            ws[i] = Nd4j.randn(40L + i, new long[] {8 + i, 16 + 2 * i, 3, 3});
            xs[i] = Nd4j.randn(60L + i, new long[] {2, 16 + 2 * i, 12 + i, 9 + i});
            expected[i] = Winograd.conv3x3(xs[i], ws[i], null).data().asFloat();
        }
        float[][] actual = new float[calls][];
        java.util.stream.IntStream.range(0, 4 * calls).parallel().forEach(j -> {
            int i = j % calls;
            float[] y = Winograd.conv3x3(xs[i], ws[i], null).data().asFloat();
            if (j < calls) {
                actual[i] = y;
            } else {
                assertArrayEquals(expected[i], y, "call " + j);
            }
        });
        for (int i = 0; i < calls; i++) {
            assertArrayEquals(expected[i], actual[i], "call " + i);
        }
    }

    @org.junit.jupiter.api.Test
    void isBitIdenticalFromCallToCall() {
        // Planes run in parallel but each is computed by one thread in a fixed order, and each gemm
        // element is one fma chain over k (VectorGemm): the same inputs give the same bits (the
        // project's determinism rule), here over calls that also warm the JIT from the interpreter to C2.
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
