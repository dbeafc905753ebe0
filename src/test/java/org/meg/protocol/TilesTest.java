package org.meg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.meg.protocol.stage.Tiles;
import org.meg.sampling.SeededNoise;
import org.meg.testing.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Split/merge laws of cooperative generation. */
class TilesTest {
    @Property(tries = 40)
    void mergeOfUnchangedPartsIsTheIdentity(@ForAll @IntRange(min = 1, max = 5) int n,
                                            @ForAll @IntRange(min = 0, max = 3) int haloUnits) {
        INDArray x = SeededNoise.of(n * 10L + haloUnits).normal("x", 1, 4, 6, 40);
        List<Tiles.Part> parts = Tiles.split(x, n, haloUnits * 2, 2);
        assertEquals(n, parts.size());
        // float32 weight normalisation: 1e-6
        Reference.assertClose("merge(split(x))", x, Tiles.merge(parts), 1e-6);
    }

    @Test
    void mergeFollowsAResolutionChange() {
        // parts upscaled 8x (as a decoded seed) merge to the 8x upscaled whole
        INDArray x = SeededNoise.of(3).normal("x", 1, 1, 2, 12);
        INDArray up = x.repeat(3, 8);
        List<Tiles.Part> parts = new ArrayList<>();
        for (Tiles.Part p : Tiles.split(x, 3, 2, 1)) {
            parts.add(new Tiles.Part(p.tensor().repeat(3, 8), p.tile()));
        }
        Reference.assertClose("merged 8x", up, Tiles.merge(parts), 1e-6);
    }

    @Test
    void croppedNoiseAgreesInTheOverlap() {
        INDArray x = Nd4j.zeros(1, 4, 4, 30);
        List<Tiles.Part> parts = Tiles.split(x, 2, 2, 1);
        SeededNoise g = SeededNoise.of(9);
        INDArray a = Tiles.cropped(g, parts.get(0).tile()).normal("noise", 1, 4, 4, parts.get(0).tile().width());
        INDArray b = Tiles.cropped(g, parts.get(1).tile()).normal("noise", 1, 4, 4, parts.get(1).tile().width());
        // part 0 covers 0..17, part 1 covers 13..30: columns 13..17 are shared
        INDArray ov0 = a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(13, 17));
        INDArray ov1 = b.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4));
        assertEquals(0.0, Reference.maxAbsDiff(ov0, ov1), 0.0);
    }

    @Test
    void seamRatioSeesAHardEdgeAndNotASmoothImage() {
        float[] v = new float[32 * 32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 32) / 32f;                                   // a smooth ramp
        }
        INDArray smooth = Nd4j.create(v, new long[] {1, 1, 32, 32}, 'c');
        assertEquals(1.0, Tiles.seamRatio(smooth, List.of(16)), 1e-3);
        INDArray edge = smooth.dup();
        edge.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(16, 32)).addi(0.5);
        assertEquals(true, Tiles.seamRatio(edge, List.of(16)) > 10);
    }

    @Test
    void badSplitsAreRefused() {
        INDArray x = Nd4j.zeros(1, 3, 8, 16);
        assertThrows(IllegalArgumentException.class, () -> Tiles.split(x, 3, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> Tiles.split(x, 2, 4, 8));
        assertThrows(IllegalArgumentException.class, () -> Tiles.split(x, 0, 0, 1));
    }
}
