package org.meg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.meg.protocol.Experiment;
import org.meg.protocol.RunResult;
import org.meg.protocol.RunSettings;

/** JSON reports of runs. */
final class Reports {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {
    }

    /** The record of one experiment: results, ledger, timeline and every setting to reproduce it. */
    static ObjectNode outcome(Experiment.Outcome o, RunSettings s, ModelArgs m, String prompt, String image) {
        ObjectNode r = JSON.createObjectNode();
        RunResult n = o.noisy();
        r.put("protocol", n.protocol());
        r.put("psnrDb", finite(o.psnr()));
        r.put("ssim", o.ssim());
        if (!Double.isNaN(o.seamRatio())) {
            r.put("seamRatio", o.seamRatio());
            r.putPOJO("seamColumns", n.seamColumns());
        }
        r.put("uplinkBits", n.ledger().uplinkBits() - textBits(n, true));
        r.put("downlinkBits", n.ledger().downlinkBits() - textBits(n, false));
        r.put("textBits", n.ledger().textBits());
        r.put("sideInformationBits", n.sideInfoBits());
        r.putPOJO("ledger", n.ledger());
        ObjectNode lat = r.putObject("latency");
        lat.put("endToEndSeconds", n.latencySeconds());
        lat.put("computeSeconds", n.computeSeconds());
        lat.put("transmitSeconds", n.transmitSeconds());
        lat.putPOJO("events", n.events());
        ObjectNode set = r.putObject("settings");
        set.put("prompt", prompt);
        set.put("image", image);
        set.put("seed", s.seed());
        set.putPOJO("link", s.link());
        set.put("channel", s.link().describe());
        set.put("snrMatched", s.snrMatched());
        set.put("seedHalo", s.seedHalo());
        set.put("imageHalo", s.imageHalo());
        set.put("broadcast", s.broadcast());
        if (m != null) {
            set.put("esModel", m.esPath().toString());
            set.put("ueModel", m.uePath().toString());
            set.put("codec", m.codec);
            set.putPOJO("esStages", m.esSettings());
            set.putPOJO("ueStages", m.ueSettings());
            set.put("edgeServers", m.edgeServers);
            set.put("ueSpeed", m.ueSpeed);
            set.put("esSpeed", m.esSpeed);
        }
        return r;
    }

    private static long textBits(RunResult n, boolean up) {
        return n.ledger().entries().stream()
                .filter(e -> e.message().equals(org.meg.metrics.BitLedger.TEXT))
                .filter(e -> (e.link() == org.meg.metrics.Link.UPLINK) == up)
                .mapToLong(org.meg.metrics.LedgerEntry::bits).sum();
    }

    /** JSON has no Infinity: identical images report PSNR as null. */
    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static void write(ObjectNode node, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), node);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
