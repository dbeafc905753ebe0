package org.meg.bench;

import org.meg.io.RandomWeights;
import java.util.concurrent.TimeUnit;
import org.meg.nn.Weights;
import org.meg.text.ClipTextConfig;
import org.meg.text.ClipTextEncoder;
import org.meg.vae.AutoencoderKL;
import org.meg.vae.Taesd;
import org.meg.vae.TaesdDecoder;
import org.meg.vae.VaeConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pipeline's other stages at 512x512, batch 1: AutoencoderKL decode (SD config, random
 * weights), TAESD decode (the real weights in {@code weights/taesd}) and the CLIP ViT-L/14 text
 * encoder (SD config, random weights) on 77 tokens. One call per measured iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=8G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=12G"})
public class Decoders {
    /** Latent side of a 512x512 image. */
    static final int LATENT = 64;
    /** CLIP sequence length. */
    static final int TOKENS = 77;

    /** Per-stage state so that each benchmark builds only its own model. */
    @State(Scope.Benchmark)
    public static class Vae {
        AutoencoderKL vae;
        INDArray z;

        /** Random SD VAE, strictly loaded. */
        @Setup
        public void setUp() {
            VaeConfig cfg = VaeConfig.sd15();
            Weights w = Weights.of(RandomWeights.of(Layouts.vae(cfg), 99));
            vae = AutoencoderKL.load(w, cfg);
            w.requireAllTaken(k -> false);
            z = Nd4j.randn(3L, new long[] {1, cfg.zChannels(), LATENT, LATENT});
        }
    }

    /** TAESD decoder state. */
    @State(Scope.Benchmark)
    public static class Tiny {
        TaesdDecoder decoder;
        INDArray latents;

        /** Real TAESD decoder weights. */
        @Setup
        public void setUp() {
            decoder = Taesd.loadDecoder(Taesd.findDefaultDir().resolve("taesd_decoder.safetensors"));
            latents = Nd4j.randn(4L, new long[] {1, 4, LATENT, LATENT});
        }
    }

    /** CLIP text encoder state. */
    @State(Scope.Benchmark)
    public static class Clip {
        ClipTextEncoder encoder;
        int[] ids;

        /** Random CLIP ViT-L/14 text encoder, strictly loaded; a full 77-token prompt. */
        @Setup
        public void setUp() {
            ClipTextConfig cfg = ClipTextConfig.sd15();
            Weights w = Weights.of(RandomWeights.of(Layouts.clip(cfg), 7));
            encoder = ClipTextEncoder.load(w, cfg);
            w.requireAllTaken(k -> false);
            ids = new int[TOKENS];
            ids[0] = 49406;                                                // BOS
            for (int i = 1; i < TOKENS; i++) {
                ids[i] = i < TOKENS - 1 ? 320 + i : 49407;                 // ..., EOS
            }
        }
    }

    /** AutoencoderKL decode, latent [1, 4, 64, 64] -> image [1, 3, 512, 512]. */
    @Benchmark
    public INDArray vaeDecode(Vae s) {
        return s.vae.decode(s.z);
    }

    /** TAESD decode, latent [1, 4, 64, 64] -> image [1, 3, 512, 512]. */
    @Benchmark
    public INDArray taesdDecode(Tiny s) {
        return s.decoder.forward(s.latents);
    }

    /** CLIP text encoder, 77 ids -> [1, 77, 768]. */
    @Benchmark
    public INDArray clipText(Clip s) {
        return s.encoder.encode(s.ids);
    }
}
