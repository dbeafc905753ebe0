package org.meg.bench;

import org.meg.io.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.meg.nn.Weights;
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
        Weights w = Weights.of(RandomWeights.of(Layouts.unet(cfg), 1234));
        UNet unet = UNet.load(w, cfg);
        w.requireAllTaken(k -> false);
        INDArray sample = Nd4j.randn(1L, new long[] {UNetStep.BATCH, cfg.inChannels(), latent, latent});
        INDArray context = Nd4j.randn(2L, new long[] {UNetStep.BATCH, UNetStep.TOKENS, cfg.contextDim()});
        System.gc();
        long loaded = Pointer.physicalBytes();
        System.out.printf(Locale.ROOT, "loaded in %.1f s; RSS after load %.0f MB; VmHWM so far %.0f MB%n",
                (System.nanoTime() - t0) / 1e9, loaded / MB, vmHwm() / MB);
        AtomicLong peak = new AtomicLong(loaded);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        for (int i = 0; i < steps; i++) {
            long s = System.nanoTime();
            unet.forward(sample, 981, context);
            System.out.printf(Locale.ROOT, "step %d: %.1f s, RSS after it %.0f MB, peak RSS so far %.0f MB, "
                            + "ND4J off-heap (workspaces + live arrays + uncollected garbage) %.0f MB%n", i,
                    (System.nanoTime() - s) / 1e9, Pointer.physicalBytes() / MB, peak.get() / MB,
                    Nd4j.getMemoryManager().allocatedMemory(0) / MB);
        }
        running.set(false);
        sampler.join();
        System.out.printf(Locale.ROOT, "U-Net step, latent %dx%d, batch %d: peak RSS during steps %.0f MB "
                        + "(%.0f MB above the loaded model); VmHWM %.0f MB%n",
                latent, latent, UNetStep.BATCH, peak.get() / MB, (peak.get() - loaded) / MB, vmHwm() / MB);
    }

    /** {@code VmHWM} of this process in bytes, or -1 where /proc is absent. */
    static long vmHwm() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
