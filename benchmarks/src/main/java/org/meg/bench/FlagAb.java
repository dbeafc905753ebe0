package org.meg.bench;

import java.lang.reflect.Field;
import java.util.Locale;
import org.meg.unet.UNet;
import org.meg.unet.UNetConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SD 1.5 U-Net step with and without the Winograd convolutions, interleaved in one process
 * (same weights, inputs and warm workspaces), so that the machine's drift hits both alike.
 * Usage: {@code WinogradAb [latent=64] [rounds=3]}; prints each round and the medians' ratio.
 */
public final class WinogradAb {
    private WinogradAb() {
    }

    public static void main(String[] args) throws Exception {
        int latent = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        UNetConfig cfg = UNetConfig.sd15();
        UNet unet = Layouts.randomUnet(1234);
        INDArray sample = Nd4j.randn(1L, new long[] {UNetStep.BATCH, cfg.inChannels(), latent, latent});
        INDArray context = Nd4j.randn(2L, new long[] {UNetStep.BATCH, UNetStep.TOKENS, cfg.contextDim()});
        Field flag = Class.forName("org.meg.nn.Conv2d").getDeclaredField("winograd");
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
            System.out.printf(Locale.ROOT, "round %d: direct %.2f s, winograd %.2f s%n", r + 1, times[0][r], times[1][r]);
        }
        double direct = OrtSideBySide.median(java.util.Arrays.stream(times[0]).boxed().toList());
        double wino = OrtSideBySide.median(java.util.Arrays.stream(times[1]).boxed().toList());
        double diff = outputs[0].sub(outputs[1]).amaxNumber().doubleValue();
        System.out.printf(Locale.ROOT, "latent %d, batch %d: direct median %.2f s, winograd median %.2f s, ratio %.3f; "
                + "max |difference| %.2e (max |eps| %.2f)%n", latent, UNetStep.BATCH, direct, wino, wino / direct, diff,
                outputs[0].amaxNumber().doubleValue());
    }
}
