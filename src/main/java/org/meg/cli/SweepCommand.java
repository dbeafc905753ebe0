package org.meg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.meg.io.Images;
import org.meg.protocol.Experiment;
import org.meg.protocol.RunSettings;
import org.meg.protocol.dsl.ProtocolScript;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meg sweep}: quality, bits and latency against SNR for several protocols and seeds.
 * Every finished point is appended to {@code results.jsonl} at once, so a re-run skips it.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Sweep protocols x SNR x seeds (x SNR-matched off/on); CSV, JSON and PNG plots; resumable.")
final class SweepCommand implements Callable<Integer> {
    @Option(names = "--protocols", defaultValue = "single", description = "all, single, multi or a list (default ${DEFAULT-VALUE})")
    String protocols;
    @Option(names = "--snr-db", defaultValue = "-20:20:5", description = "START:END:STEP or a comma list, in dB (default ${DEFAULT-VALUE})")
    String snrSpec;
    @Option(names = "--seeds", defaultValue = "3", description = "seeds 0..K-1 per point (default ${DEFAULT-VALUE})")
    int seeds;
    @Option(names = "--matched", defaultValue = "both", description = "SNR-matched denoising: off, on or both (default ${DEFAULT-VALUE})")
    String matched;
    @Mixin
    RequestArgs request;
    @Mixin
    ModelArgs models;
    @Mixin
    ChannelArgs channel;

    /** Parses START:END:STEP (inclusive) or a comma list. */
    static List<Double> parseSnr(String spec) {
        List<Double> v = new ArrayList<>();
        try {
            if (spec.contains(":")) {
                String[] p = spec.split(":");
                if (p.length != 3) {
                    throw new IllegalArgumentException("--snr-db range must be START:END:STEP, got " + spec);
                }
                double a = Double.parseDouble(p[0]);
                double b = Double.parseDouble(p[1]);
                double s = Double.parseDouble(p[2]);
                if (!(s > 0) || !Double.isFinite(a) || !Double.isFinite(b) || b < a) {
                    throw new IllegalArgumentException("--snr-db range needs finite START <= END and STEP > 0, got " + spec);
                }
                for (int k = 0; a + k * s <= b + 1e-9; k++) {
                    v.add(a + k * s);
                }
            } else {
                for (String x : spec.split(",")) {
                    double d = Double.parseDouble(x.strip());
                    if (!Double.isFinite(d)) {
                        throw new IllegalArgumentException("SNR must be finite, got " + x);
                    }
                    v.add(d);
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad --snr-db '" + spec + "': " + e.getMessage());
        }
        return v;
    }

    private static String key(String protocol, double snr, long seed, boolean matched) {
        return String.format(Locale.ROOT, "%s|%.4f|%d|%b", protocol, snr, seed, matched);
    }

    @Override
    public Integer call() throws IOException {
        List<ProtocolScript> scripts = CliSupport.protocols(protocols);
        List<Double> snrs = parseSnr(snrSpec);
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds);
        }
        List<Boolean> modes = switch (matched.toLowerCase(Locale.ROOT)) {
            case "off" -> List.of(false);
            case "on" -> List.of(true);
            case "both" -> List.of(false, true);
            default -> throw new IllegalArgumentException("--matched must be off, on or both, got " + matched);
        };
        INDArray img = Images.read(request.image);
        Files.createDirectories(request.out);
        Path jsonl = request.out.resolve("results.jsonl");
        Map<String, JsonNode> done = new LinkedHashMap<>();
        if (Files.exists(jsonl)) {
            for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    JsonNode n = Reports.JSON.readTree(line);
                    done.put(n.get("key").asText(), n);
                }
            }
        }
        int total = scripts.size() * snrs.size() * seeds * modes.size();
        int k = 0;
        Progress bar = Progress.terminal("sweep");
        for (ProtocolScript sc : scripts) {
            int n = sc.isMultiEs() ? models.edgeServers : 1;
            for (boolean m : modes) {
                for (double snr : snrs) {
                    for (long seed = 0; seed < seeds; seed++) {
                        String key = key(sc.name(), snr, seed, m);
                        if (!done.containsKey(key)) {
                            RunSettings s = channel.settings(seed, snr).withSnrMatched(m);
                            Experiment.Outcome o = Experiment.run(sc, models.network(n, org.meg.sampling.StepListener.NONE), request.prompt, img, s);
                            CliSupport.collectOffHeapGarbage();
                            ObjectNode r = Reports.JSON.createObjectNode();
                            r.put("key", key);
                            r.put("protocol", sc.name());
                            r.put("snrDb", snr);
                            r.put("seed", seed);
                            r.put("snrMatched", m);
                            r.put("psnrDb", Reports.finite(o.psnr()));
                            r.put("ssim", o.ssim());
                            r.put("uplinkBits", o.noisy().ledger().uplinkBits() - textUp(o));
                            r.put("downlinkBits", o.noisy().ledger().downlinkBits());
                            r.put("textBits", o.noisy().ledger().textBits());
                            r.put("latencySeconds", o.noisy().latencySeconds());
                            r.put("computeSeconds", o.noisy().computeSeconds());
                            r.put("transmitSeconds", o.noisy().transmitSeconds());
                            if (!Double.isNaN(o.seamRatio())) {
                                r.put("seamRatio", o.seamRatio());
                            }
                            Files.writeString(jsonl, Reports.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                                    .writeValueAsString(r) + "\n", StandardCharsets.UTF_8,
                                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            done.put(key, r);
                        }
                        bar.label("sweep " + sc.name()).show(++k, total);
                    }
                }
            }
        }
        summarise(done.values());
        System.out.println("wrote " + request.out.resolve("results.csv") + ", summary.json and plots in " + request.out);
        return 0;
    }

    private static long textUp(Experiment.Outcome o) {
        return o.noisy().ledger().entries().stream()
                .filter(e -> e.message().equals(org.meg.metrics.BitLedger.TEXT) && e.link() == org.meg.metrics.Link.UPLINK)
                .mapToLong(org.meg.metrics.LedgerEntry::bits).sum();
    }

    private void summarise(java.util.Collection<JsonNode> rows) throws IOException {
        StringBuilder csv = new StringBuilder("protocol,snr_db,seed,snr_matched,psnr_db,ssim,uplink_bits,downlink_bits,text_bits,latency_s,compute_s,transmit_s,seam_ratio\n");
        Map<String, TreeMap<Double, double[]>> psnr = new LinkedHashMap<>();
        Map<String, TreeMap<Double, double[]>> ssim = new LinkedHashMap<>();
        Map<String, Double> bits = new LinkedHashMap<>();
        Map<String, Double> latency = new LinkedHashMap<>();
        for (JsonNode r : rows) {
            String series = r.get("protocol").asText() + (r.get("snrMatched").asBoolean() ? " +matched" : "");
            double snr = r.get("snrDb").asDouble();
            double p = r.get("psnrDb").isNull() ? Double.NaN : r.get("psnrDb").asDouble();
            csv.append(String.format(Locale.ROOT, "%s,%.4f,%d,%b,%s,%.6f,%d,%d,%d,%.6f,%.6f,%.6f,%s%n",
                    r.get("protocol").asText(), snr, r.get("seed").asLong(), r.get("snrMatched").asBoolean(),
                    Double.isNaN(p) ? "inf" : String.format(Locale.ROOT, "%.4f", p), r.get("ssim").asDouble(),
                    r.get("uplinkBits").asLong(), r.get("downlinkBits").asLong(), r.get("textBits").asLong(),
                    r.get("latencySeconds").asDouble(), r.get("computeSeconds").asDouble(), r.get("transmitSeconds").asDouble(),
                    r.has("seamRatio") ? String.format(Locale.ROOT, "%.4f", r.get("seamRatio").asDouble()) : ""));
            // infinite PSNR (identical to the perfect run) is capped at 60 dB for the mean and the plot
            add(psnr, series, snr, Double.isNaN(p) ? 60.0 : Math.min(p, 60.0));
            add(ssim, series, snr, r.get("ssim").asDouble());
            bits.put(r.get("protocol").asText(), (double) (r.get("uplinkBits").asLong() + r.get("downlinkBits").asLong()));
            latency.merge(r.get("protocol").asText(), r.get("latencySeconds").asDouble(), Math::max);
        }
        Files.writeString(request.out.resolve("results.csv"), csv.toString(), StandardCharsets.UTF_8);
        ObjectNode summary = Reports.JSON.createObjectNode();
        ObjectNode means = summary.putObject("meanQuality");
        for (String s : psnr.keySet()) {
            ObjectNode o = means.putObject(s);
            psnr.get(s).forEach((snr, acc) -> {
                ObjectNode pt = o.putObject(String.format(Locale.ROOT, "%.1f", snr));
                pt.put("psnrDb", acc[0] / acc[1]);
                pt.put("ssim", ssim.get(s).get(snr)[0] / ssim.get(s).get(snr)[1]);
                pt.put("seeds", (int) acc[1]);
            });
        }
        summary.putPOJO("totalBits", bits);
        summary.putPOJO("worstLatencySeconds", latency);
        Reports.write(summary, request.out.resolve("summary.json"));
        Charts.lines("Mean PSNR vs perfect channel (capped at 60 dB)", "SNR (dB)", "PSNR (dB)", meanSeries(psnr), request.out.resolve("quality_psnr.png"));
        Charts.lines("Mean SSIM vs perfect channel", "SNR (dB)", "SSIM", meanSeries(ssim), request.out.resolve("quality_ssim.png"));
        Charts.bars("Bits over the air per run (up + down, without text)", "bits", bits, request.out.resolve("bits.png"));
        Charts.bars("End-to-end latency (worst over the sweep)", "seconds", latency, request.out.resolve("latency.png"));
    }

    private static void add(Map<String, TreeMap<Double, double[]>> m, String s, double x, double y) {
        double[] acc = m.computeIfAbsent(s, k -> new TreeMap<>()).computeIfAbsent(x, k -> new double[2]);
        acc[0] += y;
        acc[1] += 1;
    }

    private static Map<String, double[][]> meanSeries(Map<String, TreeMap<Double, double[]>> m) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        m.forEach((s, pts) -> out.put(s, pts.entrySet().stream()
                .map(e -> new double[] {e.getKey(), e.getValue()[0] / e.getValue()[1]}).toArray(double[][]::new)));
        return out;
    }
}
