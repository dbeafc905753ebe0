package org.meg.bench;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.meg.unet.UNet;
import org.meg.unet.UNetConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SD 1.5 U-Net step with one of the engine's switches off and on, interleaved in one process
 * (same weights, inputs and warm workspaces), so that the machine's drift hits both alike.
 * Usage: {@code FlagAb winograd|attention|silu [latent=64] [rounds=3]}; prints each round and the
 * medians' ratio (on / off) and the outputs' difference.
 */
public final class FlagAb {
    /** Switch name -> the static boolean field that holds it. */
    private static final Map<String, String[]> FLAGS = Map.of(
        "winograd", new String[] {"org.meg.nn.Conv2d", "winograd"},               // -Dmeg.winograd
        "attention", new String[] {"org.meg.nn.VectorKernels", "fusedAttention"},   // -Dmeg.fusedAttention
        "silu", new String[] {"org.meg.nn.GroupNorm", "fusedSilu"});                // -Dmeg.fusedSilu

    private FlagAb() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "";
        if (!FLAGS.containsKey(name)) {
            throw new IllegalArgumentException("FlagAb: unknown switch '" + name + "', known: " + FLAGS.keySet());
        }
        int latent = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        UNetConfig cfg = UNetConfig.sd15();
        UNet unet = Layouts.randomUnet(1234);
        INDArray sample = Nd4j.randn(1L, new long[] {UNetStep.BATCH, cfg.inChannels(), latent, latent});
        INDArray context = Nd4j.randn(2L, new long[] {UNetStep.BATCH, UNetStep.TOKENS, cfg.contextDim()});
        Field flag = Class.forName(FLAGS.get(name)[0]).getDeclaredField(FLAGS.get(name)[1]);
        flag.setAccessible(true);
        double[][] times = new double[2][rounds];
        INDArray[] outputs = new INDArray[2];
        for (int warm = 0; warm < 2; warm++) {
            flag.setBoolean(null, warm == 1);
            unet.forward(sample, 981, context);
        }
        for (int r = 0; r < rounds; r++) {
            for (int mode = 0; mode < 2; mode++) {
                flag.setBoolean(null, mode == 1);
                long t0 = System.nanoTime();
                INDArray eps = unet.forward(sample, 981, context);
                times[mode][r] = (System.nanoTime() - t0) / 1e9;
                outputs[mode] = eps;
            }
            System.out.printf(Locale.ROOT, "round %d: %s off %.2f s, on %.2f s%n", r + 1, name, times[0][r], times[1][r]);
        }
        double off = OrtSideBySide.median(Arrays.stream(times[0]).boxed().toList());
        double on = OrtSideBySide.median(Arrays.stream(times[1]).boxed().toList());
        double diff = outputs[0].sub(outputs[1]).amaxNumber().doubleValue();
        System.out.printf(Locale.ROOT, "latent %d, batch %d: %s off median %.2f s, on median %.2f s, ratio %.3f; "
                + "max |difference| %.2e (max |eps| %.2f)%n", latent, UNetStep.BATCH, name, off, on, on / off, diff,
                outputs[0].amaxNumber().doubleValue());
    }
}
