package org.meg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BitLedgerTest {
    private static final String[] NODES = {"ES1", "ES2", "ES3"};
    private static final String[] MESSAGES = {"seed", "image", "sketch", BitLedger.TEXT};

    @Property(tries = 100)
    void totalsAreSumsOfEntries(@ForAll @IntRange(min = 0, max = 40) int count, @ForAll long seed) {
        Random r = new Random(seed);
        BitLedger ledger = BitLedger.create();
        for (int i = 0; i < count; i++) {
            ledger.record(r.nextBoolean() ? Link.UPLINK : Link.DOWNLINK, NODES[r.nextInt(3)], MESSAGES[r.nextInt(4)],
                    r.nextInt(2_000_000), r.nextInt(1_000_000));
        }
        LedgerSnapshot s = ledger.snapshot();
        List<LedgerEntry> e = s.entries();
        assertEquals(count, e.size());
        assertEquals(sum(e, Link.UPLINK, false), s.uplinkBits());
        assertEquals(sum(e, Link.DOWNLINK, false), s.downlinkBits());
        assertEquals(s.uplinkBits() + s.downlinkBits(), s.totalBits());
        assertEquals(e.stream().mapToLong(LedgerEntry::bits).sum(), s.totalBits());
        assertEquals(s.totalBits(), s.bitsPerNode().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(s.totalBits(), s.bitsPerMessage().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(s.bitsPerMessage().getOrDefault(BitLedger.TEXT, 0L), s.textBits());
        assertEquals(s.totalBits() - s.textBits(), s.totalBitsWithoutText());
        assertEquals(sum(e, Link.UPLINK, true), s.uplinkChannelUses());
        assertEquals(sum(e, Link.DOWNLINK, true), s.downlinkChannelUses());
    }

    @Test
    void snapshotIsImmutableAndJsonRoundTrips() throws Exception {
        BitLedger ledger = BitLedger.create()
                .record(Link.UPLINK, "ES1", "seed", 28_800, 1_800)
                .recordText(Link.UPLINK, "ES1", "corals in an underwater scene");
        LedgerSnapshot s = ledger.snapshot();
        ledger.record(Link.DOWNLINK, "ES1", "image", 1, 1);
        assertEquals(2, s.entries().size());
        assertThrows(UnsupportedOperationException.class, () -> s.entries().add(null));
        assertThrows(UnsupportedOperationException.class, () -> s.bitsPerNode().put("x", 1L));
        assertEquals(8 * 29, s.textBits());
        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(s);
        assertTrue(text.contains("\"textBits\":232"), text);
        assertEquals(s, json.readValue(text, LedgerSnapshot.class));
        assertTrue(s.toTable().lines().anyMatch(l -> l.startsWith("text") && l.contains("232")), s.toTable());
    }

    @Test
    void badEntriesAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(Link.UPLINK, " ", "seed", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(Link.UPLINK, "ES1", "seed", -1, 1));
        assertThrows(NullPointerException.class, () -> new LedgerEntry(null, "ES1", "seed", 1, 1));
    }

    private static long sum(List<LedgerEntry> e, Link link, boolean uses) {
        return e.stream().filter(x -> x.link() == link).mapToLong(x -> uses ? x.channelUses() : x.bits()).sum();
    }
}
