package org.meg.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.meg.io.Images;
import org.meg.protocol.Experiment;
import org.meg.protocol.RunSettings;
import org.meg.protocol.dsl.ProtocolScript;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meg compare}: every protocol on the same input and seeds, a labelled panel and a table. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run several protocols on the same input and seeds; write a labelled side-by-side panel (like the paper's Fig. 5) and print a table.")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--protocols", defaultValue = "single", description = "all, single, multi or a comma-separated list (default ${DEFAULT-VALUE})")
    String protocols;
    @Option(names = "--snr-db", defaultValue = "-20", description = "Es/N0 in dB (default ${DEFAULT-VALUE})")
    double snrDb;
    @Option(names = "--seed", defaultValue = "0", description = "run seed (default ${DEFAULT-VALUE})")
    long seed;
    @Mixin
    RequestArgs request;
    @Mixin
    ModelArgs models;
    @Mixin
    ChannelArgs channel;

    @Override
    public Integer call() {
        List<ProtocolScript> scripts = CliSupport.protocols(protocols);
        INDArray img = Images.read(request.image);
        RunSettings s = channel.settings(seed, snrDb);
        List<String> labels = new ArrayList<>(List.of("input"));
        List<INDArray> panel = new ArrayList<>(List.of(img));
        ArrayNode all = Reports.JSON.createArrayNode();
        System.out.printf("%-8s %9s %7s %12s %12s %10s%n", "protocol", "PSNR dB", "SSIM", "uplink bits", "downlink bits", "latency s");
        Progress bar = Progress.terminal("compare");
        for (ProtocolScript sc : scripts) {
            int n = sc.isMultiEs() ? models.edgeServers : 1;
            Experiment.Outcome o = Experiment.run(sc, models.network(n, bar.label(sc.name())), request.prompt, img, s);
            var r = Reports.outcome(o, s, models, request.prompt, request.image.toString());
            all.add(r);
            labels.add(sc.name());
            panel.add(o.noisy().output());
            Images.writePng(o.noisy().output(), request.out.resolve(sc.name() + ".png"));
            CliSupport.collectOffHeapGarbage();
            System.out.printf("%-8s %9.2f %7.4f %12d %12d %10.3f%n", sc.name(), o.psnr(), o.ssim(),
                    r.get("uplinkBits").asLong(), r.get("downlinkBits").asLong(), o.noisy().latencySeconds());
        }
        Charts.panel(labels, panel, request.out.resolve("panel.png"));
        var root = Reports.JSON.createObjectNode();
        root.put("snrDb", snrDb);
        root.set("runs", all);
        Reports.write(root, request.out.resolve("compare.json"));
        System.out.println("wrote " + request.out.resolve("panel.png"));
        return 0;
    }
}
