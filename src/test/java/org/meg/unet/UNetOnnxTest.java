package org.meg.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meg.io.RandomWeights;
import org.meg.nn.Weights;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ONNX export of the U-Net, run by ONNX Runtime (an independent engine), against the U-Net's
 * own forward pass on the same random weights and inputs.
 *
 * <p>Tolerance 1e-4 absolute on eps of order 1: both sides compute in float32 with different
 * summation orders in conv and gemm (~1e-6 relative per layer, ~40 layers deep).
 */
class UNetOnnxTest {
    /** Three levels, attention on the first two and in the middle, two heads: every layer kind. */
    private static final UNetConfig SMALL = new UNetConfig(4, 4, 16, List.of(1, 2, 2), 1,
            List.of(true, true, false), 2, 24, 1, 8);

    @TempDir
    Path dir;

    @Test
    void inlineModelMatchesTheEngineOnASquareLatent() throws Exception {
        UNet unet = UNet.load(Weights.of(RandomWeights.of(OriginalLayout.keys(SMALL), 7)), SMALL);
        Path model = dir.resolve("unet.onnx");
        OnnxWriter.write(unet.onnx(), model);
        assertAgrees(unet, model, 2, 8, 8, new float[] {981f, 1f});
    }

    @Test
    void externalDataModelMatchesOnAnOddLatentWhoseUpsamplerIsNot2x() throws Exception {
        // 10x6 -> 5x3 -> 3x2 on the way down, so the up path resizes 3x2 -> 5x3 -> 10x6 through Resize(sizes).
        UNet unet = UNet.load(Weights.of(RandomWeights.of(OriginalLayout.keys(SMALL), 8)), SMALL);
        Path model = dir.resolve("unet-ext.onnx");
        OnnxWriter.writeWithExternalData(unet.onnx(), model);
        assertTrue(Files.size(dir.resolve("unet-ext.onnx.data")) > Files.size(model), "weights went to the data file");
        assertAgrees(unet, model, 1, 10, 6, new float[] {500f});
    }

    @Test
    void tooLargeForOneFileIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxWriter.write(bigGraph(), dir.resolve("x.onnx")));
        assertTrue(e.getMessage().contains("external data"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("x.onnx")), "nothing written");
    }

    private static OnnxGraph bigGraph() {
        OnnxGraph g = OnnxGraph.named("big");
        INDArray quarter = Nd4j.createUninitialized(DataType.FLOAT, 200_000_000L);   // 0.8 GB reserved, never touched
        for (int i = 0; i < 3; i++) {
            g.weight("w", quarter);
        }
        return g;
    }

    private static void assertAgrees(UNet unet, Path model, int batch, int h, int w, float[] t) throws OrtException {
        INDArray sample = Nd4j.rand(DataType.FLOAT, batch, 4, h, w).subi(0.5).muli(2);
        INDArray context = Nd4j.rand(DataType.FLOAT, batch, 5, 24).subi(0.5).muli(2);
        double[] td = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            td[i] = t[i];
        }
        INDArray ours = unet.forward(sample, td, context, null);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model.toString(), opts);
             OnnxTensor s = tensor(env, sample);
             OnnxTensor c = tensor(env, context);
             OnnxTensor ts = OnnxTensor.createTensor(env, FloatBuffer.wrap(t), new long[] {t.length});
             OrtSession.Result r = session.run(Map.of("sample", s, "timestep", ts, "context", c))) {
            OnnxTensor eps = (OnnxTensor) r.get("eps").orElseThrow();
            assertArrayEquals(ours.shape(), eps.getInfo().getShape());
            FloatBuffer fb = eps.getFloatBuffer();
            float[] theirs = new float[fb.remaining()];
            fb.get(theirs);
            float[] mine = ours.dup('c').data().asFloat();
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < mine.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(mine[i] - theirs[i]));
                maxAbs = Math.max(maxAbs, Math.abs(mine[i]));
            }
            assertTrue(maxAbs > 0.1, "eps is not trivially small: " + maxAbs);
            assertTrue(maxDiff < 1e-4, "max |engine - onnxruntime| = " + maxDiff);
        }
    }

    private static OnnxTensor tensor(OrtEnvironment env, INDArray a) throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(a.dup('c').data().asFloat()), a.shape());
    }
}
