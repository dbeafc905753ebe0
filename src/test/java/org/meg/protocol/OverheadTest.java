package org.meg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.meg.metrics.LedgerSnapshot;
import org.meg.metrics.Link;

/**
 * The paper's Fig. 6 from the protocol scripts themselves: a 240x240 RGB image at 8 bits is
 * 1,382,400 bits, a 4x30x30 seed 28,800 bits, a half-resolution sketch 345,600 bits.
 */
class OverheadTest {
    private static final long IMAGE = 240L * 240 * 3 * 8;
    private static final long SEED = 4L * 30 * 30 * 8;
    private static final long SKETCH = 120L * 120 * 3 * 8;
    private static final String PROMPT = "corals in an underwater scene";

    private static void check(String protocol, long up, long down) {
        LedgerSnapshot l = Overhead.of(Protocols.get(protocol), 240, 240, 8, 1, PROMPT);
        long text = l.textBits();
        assertEquals(up, l.bits(Link.UPLINK) - text, protocol + " uplink");
        assertEquals(down, l.bits(Link.DOWNLINK), protocol + " downlink");
        assertEquals(up + down, l.totalBitsWithoutText(), protocol + " total");
        assertEquals(protocol.equals("full-UE") ? 0 : 8L * PROMPT.length(), text, protocol + " text line");
    }

    @Test
    void reproducesFigure6() {
        check("full-UE", 0, 0);
        check("full-ES", IMAGE, IMAGE);
        check("UIEG", SEED, IMAGE);
        check("EIUG", IMAGE, SEED);
        check("CIAG", SEED, SEED);
        check("ESUC", IMAGE, SKETCH);
        assertEquals(2_764_800, IMAGE * 2);
        assertEquals(57_600, SEED * 2);
    }

    @Test
    void multiEsCountsEachDownlinkAndOneBroadcast() {
        int n = 3;
        LedgerSnapshot uidg = Overhead.of(Protocols.get("UIDG"), 240, 240, 8, n, PROMPT);
        assertEquals(SEED, uidg.bits(Link.UPLINK) - uidg.textBits());
        assertEquals(n * IMAGE, uidg.bits(Link.DOWNLINK));
        LedgerSnapshot dsuc = Overhead.of(Protocols.get("DSUC"), 240, 240, 8, n, PROMPT);
        assertEquals(n * SKETCH, dsuc.bits(Link.DOWNLINK));
        // UIDCG, N = 2, halo 2: sub-seeds of 4x30x17 up, image parts of 136 columns down
        LedgerSnapshot coop = Overhead.of(Protocols.get("UIDCG"), 240, 240, 8, 2, PROMPT);
        assertEquals(2L * 4 * 30 * 17 * 8, coop.bits(Link.UPLINK) - coop.textBits());
        assertEquals(2L * 3 * 240 * 136 * 8, coop.bits(Link.DOWNLINK));
    }
}
