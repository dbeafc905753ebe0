package org.meg.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.Callable;
import org.meg.io.Images;
import org.meg.protocol.Experiment;
import org.meg.protocol.Network;
import org.meg.protocol.RunSettings;
import org.meg.protocol.dsl.ProtocolScript;
import org.meg.protocol.dsl.Validator;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meg run}: one protocol, its images and report.json. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run one protocol over the channel and over a perfect channel with the same seeds; write images and report.json.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--protocol", required = true, description = "a built-in protocol (full-UE, full-ES, UIEG, EIUG, CIAG, ESUC, UIDG, DIUG, DSUC, UIDCG, DCSUC) or a .meg script")
    String protocol;
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
        ProtocolScript script = CliSupport.protocols(protocol).get(0);
        int n = script.isMultiEs() ? models.edgeServers : 1;
        Validator.validate(script, n);
        RunSettings s = channel.settings(seed, snrDb);
        INDArray img = Images.read(request.image);
        Progress bar = Progress.terminal(script.name());
        Network net = models.network(n, bar);
        Experiment.Outcome o = Experiment.run(script, net, request.prompt, img, s);
        Images.writePng(o.noisy().output(), request.out.resolve("output.png"));
        Images.writePng(o.reference().output(), request.out.resolve("reference.png"));
        for (Map.Entry<String, INDArray> e : o.noisy().values().entrySet()) {
            INDArray v = e.getValue();
            String file = e.getKey().replace('/', '_').replace("[", "_").replace("]", "");
            if (v.size(1) == 3 && !e.getKey().endsWith("/output")) {
                Images.writePng(v, request.out.resolve("intermediate").resolve(file + ".png"));
            } else if (v.size(1) == 4 && e.getKey().startsWith("UE/")) {
                // a seed the UE holds, decoded by the UE's codec so a person can look at it
                Images.writePng(models.ue().codec().decodeScaled(v), request.out.resolve("intermediate").resolve(file + "_decoded.png"));
            }
        }
        ObjectNode report = Reports.outcome(o, s, models, request.prompt, request.image.toString());
        Reports.write(report, request.out.resolve("report.json"));
        System.out.printf("%s at %.1f dB: PSNR %.2f dB, SSIM %.4f vs perfect channel; up %d bits, down %d bits; latency %.3f s%n",
                script.name(), snrDb, o.psnr(), o.ssim(), report.get("uplinkBits").asLong(),
                report.get("downlinkBits").asLong(), o.noisy().latencySeconds());
        System.out.println("wrote " + request.out.resolve("report.json"));
        return 0;
    }
}
