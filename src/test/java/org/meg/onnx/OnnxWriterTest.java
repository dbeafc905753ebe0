package org.meg.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The writer streams: an inline model's weights are not copied level by level into their parents. */
class OnnxWriterTest {
    @Test
    void inlineModelStreamsItsWeightsAndOnnxRuntimeReadsThemBack(@TempDir Path dir) throws Exception {
        // y = x + W, W 4 M floats (16 MB): the model file is one big raw_data field.
        int n = 4 << 20;
        INDArray w = Nd4j.rand(21L, new long[] {n});
        OnnxGraph g = OnnxGraph.named("add");
        String x = g.input("x", (long) n);
        g.output(g.op("Add", x, g.weight("w", w)), "y", (long) n);
        Path model = dir.resolve("add.onnx");

        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        OnnxWriter.write(g, model);
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        // Writing needs the float[] copy of W and its little-endian bytes (2 x 16 MB); the earlier
        // writer copied the bytes into each enclosing message (tensor, graph, model) on top: >= 5 x.
        assertTrue(allocated < 2.5 * 4L * n, "allocated " + allocated + " bytes writing " + 4L * n + " bytes of weights");
        assertTrue(Files.size(model) > 4L * n && Files.size(model) < 4L * n + 1024, "file size " + Files.size(model));

        float[] in = Nd4j.rand(22L, new long[] {n}).data().asFloat();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model.toString(), opts);
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in), new long[] {n});
             OrtSession.Result r = session.run(Map.of("x", t))) {
            float[] y = ((OnnxTensor) r.get("y").orElseThrow()).getFloatBuffer().array();
            float[] want = Nd4j.createFromArray(in).addi(w).data().asFloat();
            assertArrayEquals(want, y, "x + W, exactly (one float32 add on each side)");
        }
    }
}
