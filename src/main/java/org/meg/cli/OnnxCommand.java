package org.meg.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.meg.model.ModelLoader;
import org.meg.model.ModelOptions;
import org.meg.model.SdModel;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meg onnx}: the model's U-Net as an ONNX graph, for ONNX Runtime or any other ONNX engine. */
@Command(name = "onnx", mixinStandardHelpOptions = true,
        description = "Export the model's U-Net to ONNX (opset " + OnnxGraph.OPSET + "): inputs sample [batch, 4, h, w], "
                + "timestep [batch] (float), context [batch, tokens, dim]; output eps.")
final class OnnxCommand implements Callable<Integer> {
    @Option(names = "--model", description = "single-file .safetensors or diffusers folder (default: " + ModelArgs.DEFAULT_ES + ")")
    Path model;
    @Option(names = "--out", required = true, description = "the .onnx file to write")
    Path out;
    @Option(names = "--external-data", defaultValue = "auto",
            description = "weights in <out>.data beside the model: auto (when over 1.5 GB), yes or no (default ${DEFAULT-VALUE})")
    String externalData;

    @Override
    public Integer call() throws Exception {
        String mode = externalData.toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("yes") && !mode.equals("no")) {
            throw new IllegalArgumentException("--external-data must be auto, yes or no, got " + externalData);
        }
        Path path = model != null ? model : ModelArgs.defaultPath(ModelArgs.DEFAULT_ES);
        SdModel sd = ModelLoader.load(path, ModelOptions.defaults());
        OnnxGraph graph = sd.unet().onnx();
        long bytes = graph.weightBytes();
        boolean external = mode.equals("yes") || (mode.equals("auto") && bytes > 1_500_000_000L);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        if (external) {
            OnnxWriter.writeWithExternalData(graph, out);
        } else {
            OnnxWriter.write(graph, out);
        }
        System.out.printf(Locale.ROOT, "wrote %s: %d nodes, %.1f MB of weights%s%n", out, graph.nodes().size(), bytes / 1e6,
                external ? " in " + out.getFileName() + ".data" : "");
        return 0;
    }
}
