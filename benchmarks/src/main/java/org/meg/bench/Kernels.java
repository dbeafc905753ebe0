package org.meg.bench;

import org.meg.io.RandomWeights;
import java.util.concurrent.TimeUnit;
import org.meg.nn.Attention;
import org.meg.nn.Conv2d;
import org.meg.nn.GroupNorm;
import org.meg.nn.Weights;
import org.meg.unet.FeedForward;
import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.infra.Blackhole;
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
 * The U-Net's kernels at a 512x512 image, CFG batch 2, through the engine's own layer classes.
 * {@code width} picks the level: 320 channels at 64x64 (4096 tokens), 640 at 32x32 (1024 tokens),
 * 1280 at 16x16 (256 tokens). Attention includes the head split/merge copies, not the q/k/v projections.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=8G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=10G"})
public class Kernels {
    /** CFG batch. */
    static final int BATCH = 2;
    /** Attention heads in every SD 1.x transformer. */
    static final int HEADS = 8;
    /** GroupNorm groups. */
    static final int GROUPS = 32;

    /** Channels of the U-Net level; its latent side is 64 * 320 / width. */
    @Param({"320", "640", "1280"})
    public int width;

    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private Conv2d conv;
    private GroupNorm norm;
    private FeedForward ff;
    private INDArray image;                                           // [B, width, side, side]
    private INDArray tokens;                                          // [B, side^2, width]
    private INDArray q;
    private INDArray k;
    private INDArray v;

    /** Latent side of a level. */
    static int side(int width) {
        return 64 * 320 / width;
    }

    /** Random weights and inputs for this level. */
    @Setup
    public void setUp() {
        int s = side(width);
        conv = Conv2d.of(Nd4j.randn(11L, new long[] {width, width, 3, 3}).muli(1.0 / Math.sqrt(9.0 * width)),
                Nd4j.randn(12L, new long[] {width}).muli(0.02), 1, 1);
        KeyTable t = new KeyTable().norm("norm", width);
        Layouts.feedForward(t, "ff", width);
        Weights w = Weights.of(RandomWeights.of(t.keys(), 13));
        norm = GroupNorm.load(w.child("norm"), GROUPS, width, 1e-5);
        ff = FeedForward.load(w.child("ff"), width);
        w.requireAllTaken(key -> false);
        image = Nd4j.randn(14L, new long[] {BATCH, width, s, s});
        long n = (long) s * s;
        tokens = Nd4j.randn(15L, new long[] {BATCH, n, width});
        q = Nd4j.randn(16L, new long[] {BATCH, n, width});
        k = Nd4j.randn(17L, new long[] {BATCH, n, width});
        v = Nd4j.randn(18L, new long[] {BATCH, n, width});
    }

    /**
     * Runs {@code op} inside a workspace configured as the U-Net's block scratch, as the engine
     * runs every layer: outside one, each fresh output pays first-touch page faults (~3 ms per MB
     * measured here), which would time the allocator instead of the kernel.
     */
    private static void inWorkspace(Blackhole bh, Supplier<INDArray> op) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, "meg-bench-kernel")) {
            bh.consume(op.get());
        }
    }

    /** 3x3 conv, stride 1, pad 1, width -> width. */
    @Benchmark
    public void conv3x3(Blackhole bh) {
        inWorkspace(bh, () -> conv.forward(image));
    }

    /** GroupNorm(32) with affine. */
    @Benchmark
    public void groupNorm(Blackhole bh) {
        inWorkspace(bh, () -> norm.forward(image));
    }

    /** The memory-bandwidth bound of GroupNorm: one read and one write of the same tensor (a copy into a fresh array). */
    @Benchmark
    public void copy(Blackhole bh) {
        inWorkspace(bh, () -> image.dup());
    }

    /** Self-attention core softmax(Q K^T / sqrt(d)) V, 8 heads, side^2 tokens (projections not included). */
    @Benchmark
    public void attention(Blackhole bh) {
        inWorkspace(bh, () -> Attention.attend(q, k, v, HEADS, false));
    }

    /** GEGLU feed-forward of a transformer block: width -> 8 width, gelu-gate, 4 width -> width. */
    @Benchmark
    public void geglu(Blackhole bh) {
        inWorkspace(bh, () -> ff.forward(tokens));
    }

    /** FLOPs of one call of a kernel at a width; GroupNorm counts a nominal 8 FLOPs per element. */
    static double flops(String kernel, int width) {
        long s = side(width);
        long n = s * s;
        return switch (kernel) {
            case "conv3x3" -> BATCH * Flops.conv(width, width, 3, s, s);
            case "groupNorm" -> BATCH * 8.0 * width * n;
            case "attention" -> BATCH * Flops.attentionCore(n, n, width);
            case "geglu" -> BATCH * Flops.geglu(n, width);
            default -> Double.NaN;
        };
    }
}
