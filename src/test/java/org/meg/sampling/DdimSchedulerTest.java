package org.meg.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.meg.io.SafeTensorsFile;
import org.meg.testing.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DDIM against diffusers' DDIMScheduler outputs stored in ddim.safetensors (tolerances: README). */
class DdimSchedulerTest {
    private static SafeTensorsFile ref() {
        return SafeTensorsFile.open(Reference.sdTiny("outputs/ddim.safetensors"));
    }

    @Test
    void scheduleMatchesDiffusersFloat32() {
        try (SafeTensorsFile ref = ref()) {
            NoiseSchedule s = NoiseSchedule.sd15();
            float[] betas = ref.floats("betas_f32");
            float[] acp = ref.floats("alphas_cumprod_f32");
            for (int t = 0; t < 1000; t++) {
                // torch's vectorised float32 linspace rounds a few middle values differently from the
                // scalar formula: allow 4 ulps (5e-7 relative); alphaBar then meets the README's 1e-6
                assertEquals(betas[t], s.beta(t), 5e-7 * betas[t], "beta " + t);
                assertEquals(acp[t], s.alphaCumprod(t), 1e-6, "alphaBar " + t);
            }
            assertEquals(ref.floats("final_alpha_cumprod")[0], DdimScheduler.sd15().alphaPrev(-19), 0f);
        }
    }

    @Test
    void timestepsAreExact() {
        try (SafeTensorsFile ref = ref()) {
            for (int n : new int[] {20, 50}) {
                long[] expected = ref.longs("timesteps_" + n);
                int[] got = DdimScheduler.sd15().timesteps(n).values();
                assertEquals(expected.length, got.length);
                for (int i = 0; i < got.length; i++) {
                    assertEquals(expected[i], got[i], "timesteps_" + n + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void stepMatchesReference() {
        DdimScheduler ddim = DdimScheduler.sd15();
        try (SafeTensorsFile ref = ref()) {
            int checked = 0;
            for (String name : ref.names()) {
                if (!name.startsWith("step_n") || !name.endsWith(".sample")) {
                    continue;
                }
                String p = name.substring(0, name.length() - ".sample".length());   // step_n{n}_t{t}
                int n = Integer.parseInt(p.substring(6, p.indexOf("_t")));
                int t = Integer.parseInt(p.substring(p.indexOf("_t") + 2));
                DdimScheduler.Step s = ddim.step(ref.load(p + ".model_output"), t, t - 1000 / n,
                        ref.load(p + ".sample"), 0.0, null);
                Reference.assertClose(p + ".prev_sample", ref.load(p + ".prev_sample"), s.prevSample(), 1e-5);
                Reference.assertClose(p + ".pred_original_sample", ref.load(p + ".pred_original_sample"),
                        s.predOriginal(), 5e-5);
                checked++;
            }
            assertEquals(5, checked);
            for (int t : new int[] {1, 721, 999}) {
                String p = "add_noise_t" + t;
                Reference.assertClose(p, ref.load(p + ".noisy"),
                        ddim.addNoise(ref.load(p + ".original"), ref.load(p + ".noise"), t), 1e-5);
            }
        }
    }

    @Test
    void img2imgTimestepsFollowStrength() {
        Timesteps ts = DdimScheduler.sd15().timesteps(50).forStrength(0.75);
        assertEquals(37, ts.size());
        assertEquals(721, ts.get(0));
        assertEquals(1, ts.get(36));
        assertEquals(0, DdimScheduler.sd15().timesteps(50).forStrength(0.0).size());
        assertThrows(IllegalArgumentException.class, () -> ts.forStrength(Double.NaN));
    }

    @Test
    void etaZeroIsDeterministicAndEtaOneIsDdpmVariance() {
        // Law: with eta = 1, sigma_t^2 equals the DDPM posterior variance
        // (1 - a_prev) / (1 - a_t) * beta_t' where beta_t' = 1 - a_t / a_prev (Song et al. eq. 16).
        DdimScheduler ddim = DdimScheduler.sd15();
        INDArray x = Nd4j.zeros(1, 1);
        INDArray eps = Nd4j.zeros(1, 1);
        INDArray z = Nd4j.ones(1, 1);
        int t = 501;
        int prev = 481;
        float at = ddim.schedule().alphaCumprod(t);
        float ap = ddim.schedule().alphaCumprod(prev);
        double expectedSigma = Math.sqrt((1 - ap) / (1 - at) * (1 - at / ap));
        double got = ddim.step(eps, t, prev, x, 1.0, z).prevSample().getDouble(0);
        assertEquals(expectedSigma, got, 1e-6);
        assertArrayEquals(new float[] {0f}, ddim.step(eps, t, prev, x, 0.0, null).prevSample().data().asFloat());
        assertThrows(IllegalArgumentException.class, () -> ddim.step(eps, t, prev, x, 0.5, null));
    }

    @Test
    void snrMatchedTimestepInvertsTheSchedule() {
        NoiseSchedule s = NoiseSchedule.sd15();
        for (int t : new int[] {1, 100, 500, 900}) {
            double a = s.alphaCumprod(t);
            assertEquals(t, s.timestepForSnr(a / (1 - a)));
        }
        assertTrue(s.timestepForSnr(1e-9) == 999);
        assertThrows(IllegalArgumentException.class, () -> s.timestepForSnr(Double.NaN));
    }
}
