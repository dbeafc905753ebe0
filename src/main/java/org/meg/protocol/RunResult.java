package org.meg.protocol;

import java.util.List;
import java.util.Map;
import org.meg.metrics.LedgerSnapshot;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one protocol run produced and cost.
 *
 * @param protocol        protocol name
 * @param output          the UE's final image [1, 3, H, W] in about [-1, 1]
 * @param values          every value any node held at the end, keyed {@code "NODE/name"} or
 *                        {@code "NODE/name[i]"} for list elements (images, sketches, seeds)
 * @param ledger          bits per link, node and message
 * @param sideInfoBits    lossless side information (scales, quantiser ranges), not in the ledger
 * @param events          the timeline: every compute and transfer with its start and end
 * @param latencySeconds  when the UE holds the output
 * @param seamFractions   where merged parts meet, as fractions of the width (empty if nothing merged)
 */
public record RunResult(String protocol, INDArray output, Map<String, INDArray> values, LedgerSnapshot ledger,
                        long sideInfoBits, List<Event> events, double latencySeconds, List<Double> seamFractions) {
    /** A compute or a transfer on the timeline. */
    public record Event(int line, String what, String node, String kind, double start, double end) {
        /** Duration. */
        public double seconds() {
            return end - start;
        }
    }

    /** Total compute seconds over all nodes (not overlapped). */
    public double computeSeconds() {
        return events.stream().filter(e -> e.kind().equals("compute")).mapToDouble(Event::seconds).sum();
    }

    /** Total transmission seconds (not overlapped). */
    public double transmitSeconds() {
        return events.stream().filter(e -> !e.kind().equals("compute")).mapToDouble(Event::seconds).sum();
    }

    /** Seam columns in the output's pixels. */
    public List<Integer> seamColumns() {
        long w = output.size(3);
        return seamFractions.stream().map(f -> (int) Math.round(f * w)).toList();
    }
}
