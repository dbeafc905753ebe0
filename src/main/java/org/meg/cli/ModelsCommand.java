package org.meg.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.meg.io.ProjectFiles;
import org.meg.model.ModelLoader;
import org.meg.model.ModelOptions;
import org.meg.model.SdModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code meg models}: which weights are available and whether they load. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the shipped weights (or the given checkpoints) with sizes, and check that each loads strictly.")
final class ModelsCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "PATH", description = "checkpoints to check (default: everything in weights/)")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<Path> todo = new ArrayList<>(paths);
        Path weights = null;
        if (todo.isEmpty()) {
            weights = ProjectFiles.find("weights");
            todo.addAll(ModelLoader.shippedModels(weights));
        }
        int bad = 0;
        for (Path p : todo) {
            if (!Files.exists(p)) {
                System.out.printf("%-48s %10s     %s%n", p, "-", "MISSING: no such file or folder");
                bad++;
                continue;
            }
            long bytes = Files.isDirectory(p) ? folderSize(p) : Files.size(p);
            String status;
            if (p.getFileName().toString().startsWith("taesd")) {
                status = "TAESD half (image codec)";
            } else {
                try {
                    SdModel m = ModelLoader.load(p, ModelOptions.defaults());
                    status = "OK: SD 1.x, U-Net " + m.unet().config().modelChannels() + " ch x " + m.unet().config().channelMult()
                            + ", text " + m.textEncoder().config().hidden() + " wide, codec " + m.codecName();
                } catch (RuntimeException ex) {
                    status = "INVALID: " + ex.getMessage();
                    bad++;
                }
            }
            System.out.printf("%-48s %10.1f MB  %s%n", p, bytes / 1e6, status);
        }
        if (weights != null) {
            Path taesd = weights.resolve("taesd");
            if (Files.isDirectory(taesd)) {
                System.out.printf("%-48s %10.1f MB  %s%n", taesd, folderSize(taesd) / 1e6, "TAESD encoder + decoder");
            }
        }
        return bad == 0 ? 0 : 1;
    }

    private static long folderSize(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
