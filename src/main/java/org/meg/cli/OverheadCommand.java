package org.meg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.meg.metrics.LedgerSnapshot;
import org.meg.metrics.Link;
import org.meg.protocol.Overhead;
import org.meg.protocol.dsl.ProtocolScript;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meg overhead}: every protocol's bit ledger without running a model (Fig. 6). */
@Command(name = "overhead", mixinStandardHelpOptions = true,
        description = "Bits each protocol sends up and down for an image of this size, without running a model (the paper's Fig. 6).")
final class OverheadCommand implements Callable<Integer> {
    @Option(names = "--width", defaultValue = "240", description = "image width in pixels (multiple of 8), default ${DEFAULT-VALUE}")
    int width;
    @Option(names = "--height", defaultValue = "240", description = "image height in pixels (multiple of 8), default ${DEFAULT-VALUE}")
    int height;
    @Option(names = "--bits", defaultValue = "8", description = "bits per transmitted value (1..16), default ${DEFAULT-VALUE}")
    int bits;
    @Option(names = "--es", defaultValue = "2", description = "number of edge servers N for multi-ES protocols, default ${DEFAULT-VALUE}")
    int edgeServers;
    @Option(names = "--protocols", defaultValue = "all", description = "all, single, multi, or a comma-separated list")
    String protocols;
    @Option(names = "--prompt", defaultValue = "", description = "text sent with the request (counted on its own line)")
    String prompt;
    @Option(names = "--json", description = "one JSON object per protocol: uplinkBits, downlinkBits, totalBits")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("--bits must be in 1..16, got " + bits);
        }
        ArrayNode arr = new ObjectMapper().createArrayNode();
        if (!json) {
            System.out.printf("%-8s %14s %14s %14s %10s%n", "protocol", "uplink bits", "downlink bits", "total bits", "text bits");
        }
        for (ProtocolScript s : CliSupport.protocols(protocols)) {
            int n = s.isMultiEs() ? edgeServers : 1;
            LedgerSnapshot l = Overhead.of(s, width, height, bits, n, prompt);
            long up = l.bits(Link.UPLINK) - l.textBits();
            long down = l.bits(Link.DOWNLINK);
            if (json) {
                ObjectNode o = arr.addObject();
                o.put("protocol", s.name());
                o.put("edgeServers", n);
                o.put("uplinkBits", up);
                o.put("downlinkBits", down);
                o.put("totalBits", up + down);
                o.put("textBits", l.textBits());
            } else {
                System.out.printf("%-8s %14d %14d %14d %10d%n", s.name() + (n > 1 ? "/" + n : ""), up, down, up + down, l.textBits());
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(arr));
        }
        return 0;
    }
}
