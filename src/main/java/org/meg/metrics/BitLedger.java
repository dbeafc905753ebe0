package org.meg.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Records every wireless transfer of one protocol run; {@link #snapshot()} gives the immutable
 * totals. Safe to record into from parallel edge-server branches.
 */
public final class BitLedger {
    /** Message name for the text prompt, reported on its own line (the paper assumes it lossless). */
    public static final String TEXT = "text";

    private final List<LedgerEntry> entries = new ArrayList<>();

    private BitLedger() {
    }

    /** An empty ledger. */
    public static BitLedger create() {
        return new BitLedger();
    }

    /** Records one transfer and returns this ledger. */
    public synchronized BitLedger record(LedgerEntry entry) {
        entries.add(Objects.requireNonNull(entry, "entry"));
        return this;
    }

    /** Records {@code new LedgerEntry(link, node, message, bits, channelUses)}. */
    public BitLedger record(Link link, String node, String message, long bits, long channelUses) {
        return record(new LedgerEntry(link, node, message, bits, channelUses));
    }

    /** Records the UTF-8 bits of {@code text} as message {@value #TEXT}, no channel uses (lossless). */
    public BitLedger recordText(Link link, String node, String text) {
        return record(link, node, TEXT, Payload.textBits(text), 0);
    }

    /** Immutable totals of everything recorded so far. */
    public synchronized LedgerSnapshot snapshot() {
        return LedgerSnapshot.of(entries);
    }
}
