package org.meg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meg.io.ProjectFiles;
import org.meg.model.ModelLoader;
import org.meg.model.ModelOptions;
import org.meg.model.SdModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code meg onnx} on the shipped default model: ONNX Runtime runs the written file on a real
 * prompt's embedding and agrees with the engine within 1e-4 (float32, different summation orders).
 */
class OnnxCommandTest {
    @TempDir
    Path dir;

    @Test
    void exportsTheDefaultModelAndOnnxRuntimeAgrees() throws Exception {
        Path out = dir.resolve("meg-es.onnx");
        MegCliTest.Outcome o = MegCliTest.meg("onnx", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("nodes"), o.out());

        SdModel sd = ModelLoader.load(ProjectFiles.find(ModelArgs.DEFAULT_ES), ModelOptions.defaults());
        INDArray context = sd.encodePrompt("a picture of tropical fish");                // [1, 77, dim]
        INDArray sample = Nd4j.randn(5L, new long[] {1, 4, 16, 16});
        INDArray ours = sd.unet().forward(sample, 500, context);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(out.toString(), new OrtSession.SessionOptions());
             OnnxTensor s = OnnxTensor.createTensor(env, FloatBuffer.wrap(sample.dup().data().asFloat()), sample.shape());
             OnnxTensor c = OnnxTensor.createTensor(env, FloatBuffer.wrap(context.dup().data().asFloat()), context.shape());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {500f}), new long[] {1});
             OrtSession.Result r = session.run(Map.of("sample", s, "timestep", t, "context", c))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] mine = ours.dup().data().asFloat();
            double max = 0;
            for (float m : mine) {
                max = Math.max(max, Math.abs(m - fb.get()));
            }
            assertTrue(max < 1e-4, "max |engine - onnxruntime| = " + max);
        }
    }

    @Test
    void badExternalDataModeIsNamed() {
        MegCliTest.Outcome o = MegCliTest.meg("onnx", "--out", dir.resolve("x.onnx").toString(), "--external-data", "maybe");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--external-data must be auto, yes or no, got maybe"), o.err());
        assertTrue(Files.notExists(dir.resolve("x.onnx")));
    }
}
