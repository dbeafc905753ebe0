package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The vector copies against the buffer's own floats, for runs below, at and between whole vectors. */
class DirectRowsTest {
    @Test
    void runsAreCopiedExactlyAndNothingAroundThemIsTouched() {
        INDArray x = Nd4j.randn(7L, new long[] {1000}).castTo(DataType.FLOAT);
        float[] all = x.data().asFloat();
        ByteBuffer b = DirectRows.of(x);
        for (int n : new int[] {1, 7, 15, 16, 17, 40, 100}) {
            int at = 3 * n + 5;
            float[] dst = new float[n + 6];
            java.util.Arrays.fill(dst, -1f);
            DirectRows.get(b, at, dst, 3, n);
            for (int e = 0; e < dst.length; e++) {
                float want = e < 3 || e >= 3 + n ? -1f : all[at + e - 3];
                assertEquals(want, dst[e], 0f, "get n = " + n + " at " + e);
            }
            float[] src = new float[n + 2];
            for (int e = 0; e < src.length; e++) {
                src[e] = 1000 + e;
            }
            INDArray y = x.dup();
            ByteBuffer c = DirectRows.of(y);
            DirectRows.put(src, 2, c, at, n);
            float[] got = y.data().asFloat();
            float[] want = all.clone();
            System.arraycopy(src, 2, want, at, n);
            assertArrayEquals(want, got, "put n = " + n);
        }
    }
}
