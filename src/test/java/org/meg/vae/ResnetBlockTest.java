package org.meg.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.meg.io.RandomWeights;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The consuming form of the VAE's ResNet block against the one that keeps its input: the same
 * float operations in the same order, only in other memory, so the same bits; and its input is
 * freed afterwards. (The block's values against diffusers are AutoencoderKLTest's.)
 */
class ResnetBlockTest {
    @Test
    void consumingTheInputGivesTheBitsOfKeepingIt() {
        for (int[] io : new int[][] {{16, 8}, {8, 8}}) {                  // with and without the 1x1 shortcut
            int in = io[0];
            int out = io[1];
            Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
            shapes.put("norm1.weight", new long[] {in});
            shapes.put("norm1.bias", new long[] {in});
            shapes.put("conv1.weight", new long[] {out, in, 3, 3});
            shapes.put("conv1.bias", new long[] {out});
            shapes.put("norm2.weight", new long[] {out});
            shapes.put("norm2.bias", new long[] {out});
            shapes.put("conv2.weight", new long[] {out, out, 3, 3});
            shapes.put("conv2.bias", new long[] {out});
            if (in != out) {
                shapes.put("nin_shortcut.weight", new long[] {out, in, 1, 1});
                shapes.put("nin_shortcut.bias", new long[] {out});
            }
            Weights w = Weights.of(RandomWeights.of(shapes, 5));
            ResnetBlock block = ResnetBlock.load(w, in, out, 4);
            w.requireAllTaken(k -> false);
            INDArray x = Nd4j.randn(6L, new long[] {2, in, 9, 7}).muli(3).addi(1);
            INDArray before = x.dup();
            float[] kept = block.forward(x).data().asFloat();
            assertArrayEquals(before.data().asFloat(), x.data().asFloat(), "forward leaves its input as it was");
            float[] consumed = block.forwardConsuming(x).data().asFloat();
            assertArrayEquals(kept, consumed, in + " -> " + out);
            assertTrue(x.wasClosed(), "the consumed input is freed");
        }
    }
}
