package org.meg.bench;

import java.util.concurrent.TimeUnit;
import org.meg.unet.UNet;
import org.meg.unet.UNetConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full SD 1.5 U-Net step (random weights, 860 M parameters) with the CFG batch of 2:
 * latent 32 (256x256 image) or 64 (512x512), 77 context tokens. One call per measured iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=12G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=14G"})
public class UNetStep {
    /** Batch: conditional and unconditional halves of classifier-free guidance. */
    static final int BATCH = 2;
    /** CLIP context length. */
    static final int TOKENS = 77;

    /** Latent side (image side / 8). */
    @Param({"32", "64"})
    public int latent;

    private UNet unet;
    private INDArray sample;
    private INDArray context;

    /** Builds the model from random weights (strictly loaded) and the inputs. */
    @Setup
    public void setUp() {
        UNetConfig cfg = UNetConfig.sd15();
        unet = Layouts.randomUnet(1234);
        sample = Nd4j.randn(1L, new long[] {BATCH, cfg.inChannels(), latent, latent});
        context = Nd4j.randn(2L, new long[] {BATCH, TOKENS, cfg.contextDim()});
    }

    /** eps = unet(x_t, t = 981, context). */
    @Benchmark
    public INDArray step() {
        return unet.forward(sample, 981, context);
    }

    /** FLOPs of one call. */
    static double flops(int latent) {
        return Flops.unet(UNetConfig.sd15(), BATCH, latent, latent, TOKENS);
    }
}
