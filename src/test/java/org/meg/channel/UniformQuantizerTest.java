package org.meg.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class UniformQuantizerTest {
    @Property(tries = 300)
    void errorWithinHalfAStep(@ForAll @Size(min = 1, max = 200) List<@FloatRange(min = -1e4f, max = 1e4f) Float> list,
                              @ForAll @IntRange(min = 1, max = 16) int bits) {
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
        }
        UniformQuantizer q = UniformQuantizer.of(bits);
        QuantizedBlock block = q.quantize(v);
        float[] r = q.dequantize(block);
        double half = q.step(block.min(), block.max()) / 2;
        // float output rounding adds at most one ulp of the largest magnitude
        double tol = half + Math.ulp(Math.max(Math.abs(block.min()), Math.abs(block.max())));
        for (int i = 0; i < v.length; i++) {
            assertTrue(block.level(i) >= 0 && block.level(i) < q.levels());
            assertTrue(Math.abs(v[i] - r[i]) <= tol, v[i] + " -> " + r[i] + ", half step " + half);
        }
    }

    @Test
    void endpointsAndConstantBlocksAreExact() {
        UniformQuantizer q = UniformQuantizer.of(3);
        float[] v = {-1f, 0.1f, 2.5f};
        QuantizedBlock b = q.quantize(v);
        assertArrayEquals(new int[] {0, 2, 7}, b.levels());  // step 0.5: 0.1 -> level 2 (1.1/0.5 = 2.2)
        float[] r = q.dequantize(b);
        assertEquals(-1f, r[0]);
        assertEquals(2.5f, r[2]);
        assertEquals(0.0f, r[1], 1e-7);
        float[] c = {4.25f, 4.25f};
        assertArrayEquals(c, q.dequantize(q.quantize(c)));
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UniformQuantizer.of(0));
        assertTrue(e.getMessage().contains("1..16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UniformQuantizer.of(17));
        e = assertThrows(IllegalArgumentException.class, () -> UniformQuantizer.of(8).quantize(new float[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> UniformQuantizer.of(8).quantize(new float[] {1, Float.NaN}));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantizedBlock.of(new int[] {8}, 0, 1, 3));
    }
}
