package org.meg.metrics;

import java.util.Objects;

/**
 * One recorded transfer.
 *
 * @param link        direction
 * @param node        the edge server at the far end, e.g. {@code "ES1"}
 * @param message     what was sent, e.g. {@code "seed"}, {@code "image"}, {@code "text"}
 * @param bits        bits sent (payload plus side information)
 * @param channelUses complex channel uses spent (0 where not simulated, e.g. lossless text)
 */
public record LedgerEntry(Link link, String node, String message, long bits, long channelUses) {
    /** Validates: non-null, non-blank names, non-negative counts. */
    public LedgerEntry {
        Objects.requireNonNull(link, "link");
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("ledger entry needs a node name, got '" + node + "'");
        }
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("ledger entry needs a message name, got '" + message + "'");
        }
        if (bits < 0 || channelUses < 0) {
            throw new IllegalArgumentException("negative count in " + message + ": bits " + bits + ", uses " + channelUses);
        }
    }
}
