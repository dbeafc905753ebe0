package org.meg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meg.io.TensorSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused GroupNorm kernel against the definition evaluated in double precision
 * (Wu and He 2018, eq. 1-3 with the biased variance): tolerance 2e-5 absolute on unit-scale
 * outputs, float32 rounding of inputs near the mean of |x| ~ 3.
 */
class GroupNormTest {
    @Test
    void matchesTheDefinitionOnContiguousViewedAndWorkspaceInputs() {
        GroupNorm gn = norm(8, 32, 11);
        INDArray x = Nd4j.randn(3L, new long[] {2, 32, 5, 7}).muli(3).addi(1.5);
        assertClose(reference(x, 8, gn), gn.forward(x));
        INDArray permuted = Nd4j.randn(4L, new long[] {2, 5, 7, 32}).permute(0, 3, 1, 2);   // a strided view
        assertClose(reference(permuted, 8, gn), gn.forward(permuted));
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(
                WorkspaceConfiguration.builder().initialSize(1 << 20).build(), "gn-test")) {
            INDArray pad = Nd4j.create(DataType.FLOAT, 123);                                  // x at an offset in the workspace
            INDArray inWs = x.dup();
            assertClose(reference(x, 8, gn), gn.forward(inWs).detach());
            assertEquals(123, pad.length());
        }
    }

    @Test
    void worksOnRank2AndOneGroupPerChannel() {
        GroupNorm gn = norm(16, 16, 5);
        INDArray x = Nd4j.randn(5L, new long[] {3, 16, 4, 4});
        assertClose(reference(x, 16, gn), gn.forward(x));
        GroupNorm two = norm(2, 16, 6);
        INDArray flat = Nd4j.randn(6L, new long[] {4, 16});
        assertClose(reference(flat, 2, two), two.forward(flat));
    }

    @Test
    void forwardSiluIsSiluOfTheDefinition() {
        // [2, 64, 33, 35]: groups of 2 x 1155 values, so the kernel's 1024-value SiLU chunks end inside
        // a channel and at tails that are not whole vectors. Reference: silu(z) = z / (1 + e^-z) of the
        // double-precision norm; the same 2e-5 (SiLU's slope is within [-0.1, 1.1]).
        GroupNorm gn = norm(32, 64, 21);
        INDArray x = Nd4j.randn(22L, new long[] {2, 64, 33, 35}).muli(2).subi(0.5);
        double[] z = reference(x, 32, gn).castTo(DataType.DOUBLE).data().asDouble();
        double[] silu = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            silu[i] = z[i] / (1 + Math.exp(-z[i]));
        }
        assertClose(Nd4j.create(silu, x.shape(), 'c').castTo(DataType.FLOAT), gn.forwardSilu(x));
        assertClose(Activations.silu(gn.forward(x)), gn.forwardSilu(x));    // the composition it replaces
    }

    @Test
    void inPlaceIsTheBitsOfANewArrayAndWritesOnlyDenseInputs() {
        GroupNorm gn = norm(3, 12, 21);
        INDArray x = Nd4j.randn(4L, new long[] {2, 12, 5, 6}).muli(2).addi(0.5);
        float[] expected = gn.forwardSilu(x).data().asFloat();
        INDArray copy = x.dup();
        INDArray same = gn.forwardSiluInPlace(copy);
        assertTrue(same == copy, "a dense input is written over");
        assertArrayEquals(expected, same.data().asFloat());
        INDArray viewed = x.permute(0, 1, 3, 2);                       // not dense: a new array, the view untouched
        float[] viewedBefore = viewed.dup().data().asFloat();
        INDArray result = gn.forwardSiluInPlace(viewed);
        assertTrue(result != viewed);
        assertArrayEquals(gn.forwardSilu(viewed).data().asFloat(), result.data().asFloat());
        assertArrayEquals(viewedBefore, viewed.dup().data().asFloat());
    }

    @Test
    void wrongChannelCountIsNamed() {
        GroupNorm gn = norm(8, 32, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gn.forward(Nd4j.zeros(DataType.FLOAT, 1, 16, 2, 2)));
        assertEquals("GroupNorm over 32 channels got [1, 16, 2, 2]", e.getMessage());
    }

    private static GroupNorm norm(int groups, int channels, long seed) {
        // gamma ~ 1 + N(0, 0.5^2), beta ~ N(0, 1): an affine that matters
        INDArray gamma = Nd4j.randn(seed, new long[] {channels}).muli(0.5).addi(1);
        INDArray beta = Nd4j.randn(seed + 1, new long[] {channels});
        TensorSource src = new TensorSource() {
            @Override
            public Set<String> names() {
                return Set.of("weight", "bias");
            }

            @Override
            public long[] shape(String name) {
                return new long[] {channels};
            }

            @Override
            public INDArray load(String name) {
                return name.equals("weight") ? gamma : beta;
            }
        };
        return GroupNorm.load(Weights.of(src), groups, channels, 1e-5);
    }

    /** y = (x - mean_g) / sqrt(var_g + eps) * gamma_c + beta_c, in double. */
    private static INDArray reference(INDArray x, int groups, GroupNorm gn) {
        long n = x.size(0);
        long c = x.size(1);
        long hw = x.length() / (n * c);
        double[] v = x.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        float[] gamma = gn.gammaForTest();
        float[] beta = gn.betaForTest();
        double[] y = new double[v.length];
        long per = c / groups * hw;
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < groups; g++) {
                int start = (int) ((s * groups + g) * per);
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += v[start + i];
                }
                mean /= per;
                double var = 0;
                for (int i = 0; i < per; i++) {
                    var += (v[start + i] - mean) * (v[start + i] - mean);
                }
                var /= per;
                for (int i = 0; i < per; i++) {
                    int ch = (int) (g * (c / groups) + i / hw);
                    y[start + i] = (v[start + i] - mean) / Math.sqrt(var + 1e-5) * gamma[ch] + beta[ch];
                }
            }
        }
        return Nd4j.create(y, x.shape(), 'c').castTo(DataType.FLOAT);
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double max = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.reduce.same.AMax(
                expected.sub(actual))).getDouble(0);
        if (max > 2e-5) {
            throw new AssertionError("max |fused - definition| = " + max);
        }
    }
}
