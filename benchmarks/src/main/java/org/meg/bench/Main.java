package org.meg.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs JMH with its usual command line ({@code -f}, {@code -wi}, {@code -i}, {@code -p}, a
 * benchmark regex, ...) and then prints a Markdown table: median time per call, spread
 * (min-max over the measured iterations), analytic GFLOPs, GFLOP/s at the median and % of peak.
 *
 * <p>Peak: the {@code Sgemm} median of this run if it was included, else {@code -Dmeg.peak=GFLOPS};
 * the nominal FMA peak (250 GFLOP/s per vCPU, AVX-512, not measured) is printed alongside.
 */
public final class Main {
    /** Nominal fp32 FMA peak per vCPU with AVX-512 (2 x 16-lane FMA x ~3.9 GHz): a label, not a measurement. */
    static final double NOMINAL_PER_VCPU = 250.0;

    private Main() {
    }

    /** JMH's main, then the report. */
    public static void main(String[] args) throws Exception {
        CommandLineOptions opts = new CommandLineOptions(args);
        if (opts.shouldHelp() || opts.shouldList() || opts.shouldListProfilers() || opts.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        Collection<RunResult> results = run(opts);
        System.out.println();
        System.out.println(report(results));
    }

    private static Collection<RunResult> run(CommandLineOptions opts) throws RunnerException {
        return new Runner(opts).run();
    }

    /** The Markdown table of a run. */
    static String report(Collection<RunResult> results) {
        double peak = Double.NaN;
        for (RunResult r : results) {
            if (name(r.getParams()).startsWith("Sgemm.")) {
                peak = gflops(r);
            }
        }
        String peakSource = "sgemm of this run";
        if (Double.isNaN(peak) && System.getProperty("meg.peak") != null) {
            peak = Double.parseDouble(System.getProperty("meg.peak"));
            peakSource = "-Dmeg.peak";
        } else if (Double.isNaN(peak)) {
            peakSource = "none: include Sgemm in the run or set MEG_PEAK";
        }
        int vcpus = Runtime.getRuntime().availableProcessors();
        double nominal = NOMINAL_PER_VCPU * vcpus;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Peak: measured %.0f GFLOP/s (%s); nominal %.0f GFLOP/s (%d vCPU x %.0f, not measured)%n%n",
                peak, peakSource, nominal, vcpus, NOMINAL_PER_VCPU));
        sb.append("| benchmark | params | n | median ms | min-max ms | GFLOP | GFLOP/s (median) | % measured peak | % nominal peak |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            Statistics st = r.getPrimaryResult().getStatistics();
            double median = toMs(st.getPercentile(50), r);
            double flop = flops(p);
            double gf = flop / 1e9 / (median / 1e3);
            List<String> params = new ArrayList<>();
            for (String k : p.getParamsKeys()) {
                params.add(k + "=" + p.getParam(k));
            }
            String ofPeak = Double.isNaN(peak) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * gf / peak);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s-%s | %.2f | %.1f | %s | %.0f%% |%n",
                    name(p), String.join(" ", params), st.getN(), ms(median), ms(toMs(st.getMin(), r)), ms(toMs(st.getMax(), r)),
                    flop / 1e9, gf, ofPeak, 100 * gf / nominal));
        }
        return sb.toString();
    }

    /** Milliseconds to three significant figures (0.213, 21.3, 213), one decimal from 1000 up. */
    private static String ms(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.1f" : v >= 10 ? "%.2f" : "%.3f", v);
    }

    /** GFLOP/s of a result at its median. */
    private static double gflops(RunResult r) {
        return flops(r.getParams()) / 1e9 / (toMs(r.getPrimaryResult().getStatistics().getPercentile(50), r) / 1e3);
    }

    /** A score in the run's unit (time per op) in milliseconds. */
    private static double toMs(double score, RunResult r) {
        String unit = r.getPrimaryResult().getScoreUnit();            // e.g. "ms/op", "s/op"
        return switch (unit.substring(0, unit.indexOf('/'))) {
            case "s" -> score * 1e3;
            case "ms" -> score;
            case "us" -> score / 1e3;
            case "ns" -> score / 1e6;
            default -> throw new IllegalArgumentException("not a time per op: " + unit);
        };
    }

    /** {@code Class.method} of a benchmark. */
    private static String name(BenchmarkParams p) {
        String b = p.getBenchmark();
        int method = b.lastIndexOf('.');
        return b.substring(b.lastIndexOf('.', method - 1) + 1);
    }

    /** Analytic FLOPs of one call. */
    static double flops(BenchmarkParams p) {
        String[] cm = name(p).split("\\.");
        return switch (cm[0]) {
            case "UNetStep" -> UNetStep.flops(Integer.parseInt(p.getParam("latent")));
            case "Decoders" -> switch (cm[1]) {
                case "vaeDecode" -> Flops.vaeDecode(org.meg.vae.VaeConfig.sd15(), 1, Decoders.LATENT, Decoders.LATENT);
                case "taesdDecode" -> Flops.taesdDecode(1, Decoders.LATENT, Decoders.LATENT);
                case "clipText" -> Flops.clip(org.meg.text.ClipTextConfig.sd15(), 1, Decoders.TOKENS);
                default -> Double.NaN;
            };
            case "Kernels" -> Kernels.flops(cm[1], Integer.parseInt(p.getParam("width")));
            case "Sgemm" -> Sgemm.flops(Integer.parseInt(p.getParam("n")));
            default -> Double.NaN;
        };
    }
}
