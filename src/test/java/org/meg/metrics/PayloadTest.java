package org.meg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The communication overheads of the paper's Fig. 6, for a 240x240 RGB image, a 4x30x30 latent
 * seed and a 120x120 RGB sketch at 8 bits. (The paper prints them rounded: 1.37 Mb, 28 kb,
 * 57 kb, 344 kb, and a ratio of 47.2; the exact counts below give 1.3824 Mb, 28.8 kb, 57.6 kb,
 * 345.6 kb and 48.)
 */
class PayloadTest {
    private static final long IMAGE = Payload.rgbImageBits(240, 240, 8);
    private static final long SEED = Payload.latentBits(4, 30, 30, 8);
    private static final long SKETCH = Payload.rgbImageBits(120, 120, 8);

    @Test
    void sizes() {
        assertEquals(1_382_400, IMAGE);
        assertEquals(28_800, SEED);
        assertEquals(345_600, SKETCH);
        assertEquals(IMAGE, Payload.imageBits(240, 240, 3, 8));
        assertEquals(8 * 6, Payload.textBits("corals"));
        assertEquals(8 * 2, Payload.textBits("é"));  // two UTF-8 bytes
    }

    @Test
    void figure6() {
        LedgerSnapshot fullEs = protocol(IMAGE, IMAGE);
        assertEquals(1_382_400, fullEs.uplinkBits());
        assertEquals(1_382_400, fullEs.downlinkBits());
        assertEquals(2_764_800, fullEs.totalBits());

        LedgerSnapshot uieg = protocol(SEED, IMAGE);
        assertEquals(28_800, uieg.uplinkBits());
        assertEquals(1_382_400, uieg.downlinkBits());
        assertEquals(1_411_200, uieg.totalBits());

        LedgerSnapshot eiug = protocol(IMAGE, SEED);
        assertEquals(1_382_400, eiug.uplinkBits());
        assertEquals(28_800, eiug.downlinkBits());

        LedgerSnapshot ciag = protocol(SEED, SEED);
        assertEquals(57_600, ciag.totalBits());
        assertEquals(48.0, (double) fullEs.totalBits() / ciag.totalBits(), 0);

        LedgerSnapshot esuc = protocol(IMAGE, SKETCH);
        assertEquals(1_382_400, esuc.uplinkBits());
        assertEquals(345_600, esuc.downlinkBits());
        assertEquals(1_728_000, esuc.totalBits());
    }

    @Test
    void badSizesAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> Payload.rgbImageBits(0, 240, 8));
        assertThrows(IllegalArgumentException.class, () -> Payload.latentBits(4, 30, 30, 0));
        assertThrows(ArithmeticException.class, () -> Payload.tensorBits(Long.MAX_VALUE / 2, 8));
    }

    private static LedgerSnapshot protocol(long up, long down) {
        return BitLedger.create()
                .record(Link.UPLINK, "ES1", "up", up, 0)
                .record(Link.DOWNLINK, "ES1", "down", down, 0)
                .snapshot();
    }
}
