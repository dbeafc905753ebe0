package org.meg.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.meg.onnx.OnnxWriter;
import org.meg.unet.UNet;
import org.meg.unet.UNetConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One SD 1.5 U-Net step (random weights, CFG batch 2, 77 tokens, t = 981) in the engine and in
 * ONNX Runtime's Java API, in one process, on the same weights and inputs.
 *
 * <ol>
 *   <li>Build the U-Net (as {@link UNetStep}); export it with {@link UNet#onnx()} to a temporary
 *       directory (external data: 3.4 GB of fp32 weights exceed protobuf's 2 GB).</li>
 *   <li>Open an ORT session: CPU provider, all graph optimisations, intra-op threads =
 *       {@code OMP_NUM_THREADS} (the engine's thread count), inter-op 1.</li>
 *   <li>One warm-up call each, then {@code repeats} rounds of (engine, ORT), interleaved so that a
 *       noisy neighbour hits both alike.</li>
 *   <li>Print median and min-max per engine, the ratio of medians (engine / ORT), and the output
 *       difference: max |a - b|, and max |a - b| / max |b| (relative).</li>
 * </ol>
 *
 * <p>Usage: {@code OrtSideBySide [latent=64] [repeats=3]}.
 */
public final class OrtSideBySide {
    private OrtSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        int latent = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int threads = Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS",
                Integer.toString(Runtime.getRuntime().availableProcessors())));

        // 1. The engine's model and its export.
        UNetConfig cfg = UNetConfig.sd15();
        UNet unet = Layouts.randomUnet(1234);
        INDArray sample = Nd4j.randn(1L, new long[] {UNetStep.BATCH, cfg.inChannels(), latent, latent});
        INDArray context = Nd4j.randn(2L, new long[] {UNetStep.BATCH, UNetStep.TOKENS, cfg.contextDim()});
        double[] t = {981, 981};
        Path dir = Files.createTempDirectory("meg-ort");
        Path model = dir.resolve("unet.onnx");
        long e0 = System.nanoTime();
        OnnxWriter.writeWithExternalData(unet.onnx(), model);
        System.out.printf("exported %s (+ %.2f GB external data) in %.1f s%n", model,
                Files.size(dir.resolve("unet.onnx.data")) / 1e9, (System.nanoTime() - e0) / 1e9);

        // 2. ONNX Runtime session.
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (!Boolean.getBoolean("meg.ort.spin")) {
                // ORT's pool threads otherwise spin after each run and take CPU from the meg run
                // that follows it in the interleaved rounds; -Dmeg.ort.spin=true restores ORT's default.
                opts.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            try (OrtSession session = env.createSession(model.toString(), opts);
                 OnnxTensor s = tensor(env, sample);
                 OnnxTensor c = tensor(env, context);
                 OnnxTensor ts = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {981f, 981f}), new long[] {2})) {
                Map<String, OnnxTensor> inputs = Map.of("sample", s, "timestep", ts, "context", c);

                // 3. Warm-up, then interleaved rounds.
                INDArray ours = unet.forward(sample, t, context, null);
                float[] theirs = runOrt(session, inputs);
                List<Double> megTimes = new ArrayList<>();
                List<Double> ortTimes = new ArrayList<>();
                for (int r = 0; r < repeats; r++) {
                    long a = System.nanoTime();
                    ours = unet.forward(sample, t, context, null);
                    long b = System.nanoTime();
                    theirs = runOrt(session, inputs);
                    long d = System.nanoTime();
                    megTimes.add((b - a) / 1e9);
                    ortTimes.add((d - b) / 1e9);
                    System.out.printf("round %d: meg %.2f s, onnxruntime %.2f s%n", r + 1, megTimes.get(r), ortTimes.get(r));
                }

                // 4. Report.
                float[] mine = ours.dup('c').data().asFloat();
                double maxDiff = 0;
                double maxAbs = 0;
                for (int i = 0; i < mine.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(mine[i] - theirs[i]));
                    maxAbs = Math.max(maxAbs, Math.abs(theirs[i]));
                }
                double megMedian = median(megTimes);
                double ortMedian = median(ortTimes);
                System.out.printf("%nSD 1.5 U-Net step, latent %dx%d (%dx%d image), batch 2, %d threads, %d rounds%n",
                        latent, latent, 8 * latent, 8 * latent, threads, repeats);
                System.out.printf("| engine | median | spread (min-max) |%n|---|---|---|%n");
                System.out.printf("| meg (ND4J) | %.2f s | %.2f-%.2f s |%n", megMedian, min(megTimes), max(megTimes));
                System.out.printf("| ONNX Runtime %s | %.2f s | %.2f-%.2f s |%n", env.getVersion(), ortMedian,
                        min(ortTimes), max(ortTimes));
                System.out.printf("ratio meg / onnxruntime (medians): %.2f%n", megMedian / ortMedian);
                System.out.printf("max |meg - ort| = %.3g, relative to max |ort| = %.3g: %.3g%n", maxDiff, maxAbs,
                        maxDiff / maxAbs);
            }
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static float[] runOrt(OrtSession session, Map<String, OnnxTensor> inputs) throws OrtException {
        try (OrtSession.Result r = session.run(inputs)) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    private static OnnxTensor tensor(OrtEnvironment env, INDArray a) throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(a.dup('c').data().asFloat()), a.shape());
    }

    static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
