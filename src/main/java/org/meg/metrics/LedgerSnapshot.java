package org.meg.metrics;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Immutable totals of a {@link BitLedger}; every component is a plain value, so Jackson writes
 * and reads it as JSON as is. Totals include text; {@code textBits} repeats its share, and
 * {@code totalBitsWithoutText} is the figure comparable to the paper's Fig. 6.
 *
 * @param entries              every transfer, in recording order
 * @param uplinkBits           sum of uplink entry bits
 * @param downlinkBits         sum of downlink entry bits
 * @param totalBits            {@code uplinkBits + downlinkBits}
 * @param textBits             sum over entries whose message is {@value BitLedger#TEXT}
 * @param totalBitsWithoutText {@code totalBits - textBits}
 * @param uplinkChannelUses    sum of uplink channel uses
 * @param downlinkChannelUses  sum of downlink channel uses
 * @param bitsPerNode          total bits by edge server, sorted by name
 * @param bitsPerMessage       total bits by message name, sorted by name
 */
public record LedgerSnapshot(List<LedgerEntry> entries, long uplinkBits, long downlinkBits, long totalBits,
                             long textBits, long totalBitsWithoutText, long uplinkChannelUses,
                             long downlinkChannelUses, Map<String, Long> bitsPerNode,
                             Map<String, Long> bitsPerMessage) {
    /** Copies the collections so the snapshot stays immutable. */
    public LedgerSnapshot {
        entries = List.copyOf(entries);
        bitsPerNode = Collections.unmodifiableMap(new TreeMap<>(bitsPerNode));
        bitsPerMessage = Collections.unmodifiableMap(new TreeMap<>(bitsPerMessage));
    }

    /** Sums {@code entries} into a snapshot. */
    public static LedgerSnapshot of(List<LedgerEntry> entries) {
        long up = 0;
        long down = 0;
        long text = 0;
        long upUses = 0;
        long downUses = 0;
        Map<String, Long> perNode = new TreeMap<>();
        Map<String, Long> perMessage = new TreeMap<>();
        for (LedgerEntry e : entries) {
            if (e.link() == Link.UPLINK) {
                up = Math.addExact(up, e.bits());
                upUses = Math.addExact(upUses, e.channelUses());
            } else {
                down = Math.addExact(down, e.bits());
                downUses = Math.addExact(downUses, e.channelUses());
            }
            if (BitLedger.TEXT.equals(e.message())) {
                text += e.bits();
            }
            perNode.merge(e.node(), e.bits(), Math::addExact);
            perMessage.merge(e.message(), e.bits(), Math::addExact);
        }
        long total = Math.addExact(up, down);
        return new LedgerSnapshot(entries, up, down, total, text, total - text, upUses, downUses, perNode, perMessage);
    }

    /** Bits on one link. */
    public long bits(Link link) {
        return link == Link.UPLINK ? uplinkBits : downlinkBits;
    }

    /** A small text table: per link, per node, per message, with text on its own line. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        line(sb, "uplink", uplinkBits, uplinkChannelUses);
        line(sb, "downlink", downlinkBits, downlinkChannelUses);
        line(sb, "total (without text)", totalBitsWithoutText, uplinkChannelUses + downlinkChannelUses);
        sb.append(String.format(Locale.ROOT, "%-24s %14d bits (lossless)%n", "text", textBits));
        bitsPerNode.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  node %-19s %14d bits%n", k, v)));
        bitsPerMessage.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  message %-16s %14d bits%n", k, v)));
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, long bits, long uses) {
        sb.append(String.format(Locale.ROOT, "%-24s %14d bits %12d channel uses%n", name, bits, uses));
    }
}
