package org.meg.bench;

import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.meg.unet.UNet;
import org.meg.unet.UNetConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Peak memory of SD 1.5 U-Net steps (random weights, CFG batch 2): process RSS sampled every
 * 10 ms with javacpp {@code Pointer.physicalBytes()} after loading and during the steps, and the
 * kernel's high-water mark {@code VmHWM} of {@code /proc/self/status} (which includes loading).
 * Usage: {@code UNetMemory [latent=64] [steps=2]}.
 */
public final class UNetMemory {
    private static final double MB = 1024 * 1024;

    private UNetMemory() {
    }

    /** Loads, runs the steps, prints the figures. */
    public static void main(String[] args) throws Exception {
        int latent = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        UNetConfig cfg = UNetConfig.sd15();
        long t0 = System.nanoTime();
        UNet unet = Layouts.randomUnet(1234);
        INDArray sample = Nd4j.randn(1L, new long[] {UNetStep.BATCH, cfg.inChannels(), latent, latent});
        INDArray context = Nd4j.randn(2L, new long[] {UNetStep.BATCH, UNetStep.TOKENS, cfg.contextDim()});
        System.gc();
        long loaded = Pointer.physicalBytes();
        System.out.printf(Locale.ROOT, "loaded in %.1f s; RSS after load %.0f MB; VmHWM so far %.0f MB%n",
                (System.nanoTime() - t0) / 1e9, loaded / MB, RssPeak.vmHwm() / MB);
        RssPeak peak = RssPeak.start(loaded);
        for (int i = 0; i < steps; i++) {
            long s = System.nanoTime();
            unet.forward(sample, 981, context);
            System.out.printf(Locale.ROOT, "step %d: %.1f s, RSS after it %.0f MB, peak RSS so far %.0f MB, "
                            + "ND4J off-heap (workspaces + live arrays + uncollected garbage) %.0f MB%n", i,
                    (System.nanoTime() - s) / 1e9, Pointer.physicalBytes() / MB, peak.peak() / MB,
                    Nd4j.getMemoryManager().allocatedMemory(0) / MB);
        }
        peak.close();
        System.out.printf(Locale.ROOT, "U-Net step, latent %dx%d, batch %d: peak RSS during steps %.0f MB "
                        + "(%.0f MB above the loaded model); VmHWM %.0f MB%n",
                latent, latent, UNetStep.BATCH, peak.peak() / MB, (peak.peak() - loaded) / MB, RssPeak.vmHwm() / MB);
    }
}
