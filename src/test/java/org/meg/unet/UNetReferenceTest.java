package org.meg.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meg.io.SafeTensorsFile;
import org.meg.io.TensorSource;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The tiny-sd U-Net against the stored diffusers (float64) reference: every stored size and
 * timestep, the noise prediction and every stored intermediate, from both checkpoint layouts.
 */
class UNetReferenceTest {
    /** README tolerance for U-Net noise_pred and intermediates (torch float32 was off by 1.9e-6). */
    private static final double TOL = 1e-4;
    private static final Pattern CASE = Pattern.compile("(\\d+x\\d+)\\.t(\\d+)\\.noise_pred");

    private static SafeTensorsFile ref;
    private static UNet original;
    private static UNet diffusers;

    @BeforeAll
    static void load() {
        ref = SafeTensorsFile.open(TinySd.OUTPUTS);
        try (SafeTensorsFile o = TinySd.originalFile(); TensorSource d = TinySd.diffusersUnet()) {
            original = loadStrict(TinySd.unetOf(o), TinySd.ORIGINAL_HEADS);
            diffusers = loadStrict(d, TinySd.diffusersHeads());
        }
    }

    @AfterAll
    static void close() {
        ref.close();
    }

    private static UNet loadStrict(TensorSource unet, int heads) {
        Weights w = Weights.of(unet);
        UNet model = UNet.load(w, UNetConfig.detect(unet, heads));
        w.requireAllTaken(k -> false);
        return model;
    }

    @ParameterizedTest
    @ValueSource(strings = {"original", "diffusers"})
    void everyStoredCaseMatches(String layout) {
        UNet model = layout.equals("original") ? original : diffusers;
        List<String> cases = new ArrayList<>();
        for (String name : new TreeSet<>(ref.names())) {
            Matcher m = CASE.matcher(name);
            if (m.matches()) {
                cases.add(m.group(1) + ".t" + m.group(2));
            }
        }
        assertTrue(cases.size() >= 4, "stored cases: " + cases);
        for (String c : cases) {
            String hw = c.substring(0, c.indexOf('.'));
            double t = Double.parseDouble(c.substring(c.indexOf(".t") + 2));
            Map<String, INDArray> seen = new LinkedHashMap<>();
            INDArray eps = model.forward(ref.load(hw + ".sample"), new double[] {t},
                    ref.load(hw + ".encoder_hidden_states"), seen::put);
            double worst = check(c + ".noise_pred", eps);
            StringBuilder report = new StringBuilder();
            int intermediates = 0;
            for (String name : ref.names()) {
                String head = c + ".intermediate.";
                if (name.startsWith(head)) {
                    String module = name.substring(head.length());
                    assertTrue(seen.containsKey(module), "no intermediate " + module + " among " + seen.keySet());
                    double e = check(name, seen.get(module));
                    report.append(String.format(" %s=%.1e", module, e));
                    worst = Math.max(worst, e);
                    intermediates++;
                }
            }
            System.out.printf("unet %s %s: noise_pred max|d| %.2e, worst incl. %d intermediates %.2e;%s%n",
                    layout, c, maxAbs(eps, ref.load(c + ".noise_pred")), intermediates, worst, report);
        }
    }

    /**
     * No 12x8 reference is stored, but the U-Net commutes with transposing h and w when every
     * kernel is transposed too (convs, GroupNorm, attention over a permutation of tokens, nearest
     * resize): the transposed model on the transposed 8x12 sample must give the transposed 8x12
     * reference, which exercises the exact-size upsample along the other axis.
     */
    @Test
    void transposedModelOn12x8MatchesTransposed8x12Reference() {
        UNet transposed;
        try (SafeTensorsFile o = TinySd.originalFile()) {
            transposed = loadStrict(Transposed.of(TinySd.unetOf(o)), TinySd.ORIGINAL_HEADS);
        }
        String c = firstCase("8x12");
        double t = Double.parseDouble(c.substring(c.indexOf(".t") + 2));
        Map<String, INDArray> seen = new LinkedHashMap<>();
        INDArray sample = swapHw(ref.load("8x12.sample"));
        assertArrayEquals(new long[] {2, 4, 12, 8}, sample.shape());
        INDArray eps = transposed.forward(sample, new double[] {t}, ref.load("8x12.encoder_hidden_states"), seen::put);
        double e = check(c + ".noise_pred", swapHw(eps));
        for (Map.Entry<String, INDArray> s : seen.entrySet()) {
            if (s.getValue().rank() == 4) {
                e = Math.max(e, check(c + ".intermediate." + s.getKey(), swapHw(s.getValue())));
            }
        }
        System.out.printf("unet transposed 12x8 vs %s: max|d| %.2e%n", c, e);
    }

    /** Freeing the workspaces between denoising runs changes nothing: the next step is bit-identical. */
    @Test
    void stepAfterReleasingTheWorkspacesIsBitIdentical() {
        String c = firstCase("8x8");
        double t = Double.parseDouble(c.substring(c.indexOf(".t") + 2));
        INDArray sample = ref.load("8x8.sample");
        INDArray context = ref.load("8x8.encoder_hidden_states");
        INDArray first = original.forward(sample, t, context);
        assertTrue(Nd4j.getWorkspaceManager().checkIfWorkspaceExists("meg-unet-step"));
        UNet.releaseWorkspaces();
        assertFalse(Nd4j.getWorkspaceManager().checkIfWorkspaceExists("meg-unet-step"));
        assertFalse(Nd4j.getWorkspaceManager().checkIfWorkspaceExists("meg-unet-block"));
        float[] want = first.dup('c').data().asFloat();
        assertArrayEquals(want, original.forward(sample, t, context).dup('c').data().asFloat());
        assertArrayEquals(want, original.forward(sample, t, context).dup('c').data().asFloat(),
                "and again with the re-created workspaces");
    }

    /** 10x6 halves to 5x3, 3x2, 2x1; the up path must return through 3x2 and 5x3 to 10x6. */
    @Test
    void oddSize10x6RunsThroughExactSizeUpsamples() {
        INDArray sample = Nd4j.randn(7L, new long[] {2, 4, 10, 6});
        INDArray context = ref.load("8x8.encoder_hidden_states");
        Map<String, INDArray> seen = new LinkedHashMap<>();
        INDArray eps = original.forward(sample, new double[] {1, 981}, context, seen::put);
        assertArrayEquals(new long[] {2, 4, 10, 6}, eps.shape());
        assertHw(seen, "down_blocks.0", 5, 3);
        assertHw(seen, "down_blocks.1", 3, 2);
        assertHw(seen, "down_blocks.2", 2, 1);
        assertHw(seen, "down_blocks.3", 2, 1);
        assertHw(seen, "up_blocks.0", 3, 2);
        assertHw(seen, "up_blocks.1", 5, 3);
        assertHw(seen, "up_blocks.2", 10, 6);
        assertHw(seen, "up_blocks.3", 10, 6);
        assertFalse(eps.isNaN().any() || eps.isInfinite().any(), "finite");
        // the same as running the two batch entries one at a time, each with its own timestep
        INDArray first = original.forward(sample.get(intervalOf(0)).dup(), 1, context.get(intervalOf(0)).dup());
        assertTrue(maxAbs(first, eps.get(intervalOf(0))) < 1e-5);
        INDArray second = original.forward(sample.get(intervalOf(1)).dup(), 981, context.get(intervalOf(1)).dup());
        assertTrue(maxAbs(second, eps.get(intervalOf(1))) < 1e-5);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex intervalOf(int b) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(b, b + 1);
    }

    private static void assertHw(Map<String, INDArray> seen, String name, long h, long w) {
        long[] s = seen.get(name).shape();
        assertEquals(h + "x" + w, s[2] + "x" + s[3], name);
    }

    private static String firstCase(String hw) {
        for (String name : new TreeSet<>(ref.names())) {
            Matcher m = CASE.matcher(name);
            if (m.matches() && m.group(1).equals(hw)) {
                return hw + ".t" + m.group(2);
            }
        }
        throw new AssertionError("no stored case for " + hw);
    }

    private static double check(String refName, INDArray actual) {
        INDArray expected = ref.load(refName);
        assertArrayEquals(expected.shape(), actual.shape(), refName + " shape");
        double e = maxAbs(expected, actual);
        assertTrue(e <= TOL, refName + ": max |diff| " + e + " > " + TOL);
        return e;
    }

    static double maxAbs(INDArray a, INDArray b) {
        return Transforms.abs(a.sub(b), false).maxNumber().doubleValue();
    }

    static INDArray swapHw(INDArray x) {
        return x.permute(0, 1, 3, 2).dup('c');
    }

    /** Every conv kernel [O, I, kh, kw] seen as [O, I, kw, kh]. */
    private static final class Transposed implements TensorSource {
        private final TensorSource base;

        private Transposed(TensorSource base) {
            this.base = base;
        }

        static Transposed of(TensorSource base) {
            return new Transposed(base);
        }

        @Override
        public Set<String> names() {
            return base.names();
        }

        @Override
        public long[] shape(String name) {
            long[] s = base.shape(name);
            return s.length == 4 ? new long[] {s[0], s[1], s[3], s[2]} : s;
        }

        @Override
        public INDArray load(String name) {
            INDArray a = base.load(name);
            return a.rank() == 4 ? swapHw(a) : a;
        }
    }
}
