package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** SiLU in place against its definition in double; {@link Tensors} frees owners only, and never a kept input. */
class ActivationsTest {
    @Test
    void siluInPlaceIsTheDefinitionAndOverwritesItsInput() {
        // x in [-30, 30]: both tails (sigmoid saturating to 0 and 1) and the middle. Tolerance 2e-6
        // relative plus 1e-7 absolute: a few float32 roundings of exp and one division.
        INDArray x = Nd4j.randn(21L, new long[] {3, 40, 7}).muli(10);
        float[] in = x.data().asFloat();
        INDArray y = Activations.siluInPlace(x);
        assertSame(x, y);
        float[] out = y.data().asFloat();
        for (int i = 0; i < in.length; i++) {
            double v = in[i];
            double want = v / (1 + Math.exp(-v));
            assertEquals(want, out[i], 2e-6 * Math.abs(want) + 1e-7, "silu(" + v + ")");
        }
        INDArray z = Nd4j.randn(22L, new long[] {2, 5, 3, 3});
        assertEquals(0.0, Activations.silu(z).sub(Activations.siluInPlace(z.dup())).amaxNumber().doubleValue(), 1e-6,
                "the copying and the in-place SiLU agree");
    }

    @Test
    void releaseFreesOwnedArraysAndLeavesViewsAlone() {
        INDArray owner = Nd4j.rand(4, 4);
        INDArray view = owner.getRow(1);
        Tensors.release(view, null);
        assertFalse(view.wasClosed());
        assertEquals(16, owner.length());
        Tensors.release(owner);
        assertTrue(owner.wasClosed());

        INDArray input = Nd4j.rand(2, 2);
        INDArray next = Nd4j.rand(2, 2);
        assertSame(next, Tensors.replace(input, next, input));
        assertFalse(input.wasClosed(), "the caller's input is kept");
        assertSame(input, Tensors.replace(next, input));
        assertTrue(next.wasClosed(), "a consumed stage input is freed");
    }
}
