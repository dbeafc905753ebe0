package org.meg.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class SnrTest {
    @Test
    void knownConversions() {
        assertEquals(1.0, Snr.dbToLinear(0), 0);
        assertEquals(10.0, Snr.dbToLinear(10), 1e-12);
        assertEquals(0.01, Snr.dbToLinear(-20), 1e-15);
        assertEquals(-20.0, Snr.linearToDb(0.01), 1e-12);
        assertEquals(5.0, Snr.ebN0FromEsN0(10.0, 2), 0);
        assertEquals(40.0, Snr.esN0FromEbN0(10.0, 4), 0);
        assertEquals(0.1, Snr.noiseVarianceFromEsN0Db(1.0, 10), 1e-15);
        assertEquals(1.0, Snr.shannonCapacity(1.0), 1e-15);
        assertEquals(Math.log(101) / Math.log(2), Snr.shannonCapacity(100), 1e-12);
    }

    @Test
    void qFunctionKnownValues() {
        assertEquals(0.5, Snr.qFunction(0), 1e-15);
        assertEquals(0.15865525393145707, Snr.qFunction(1), 1e-14);
        assertEquals(0.0013498980316301035, Snr.qFunction(3), 1e-16);
        assertEquals(1 - Snr.qFunction(1.7), Snr.qFunction(-1.7), 1e-15);
        // BPSK at Eb/N0 = 9.6 dB is the textbook 1e-5 point
        assertEquals(1e-5, Snr.bpskBer(Snr.dbToLinear(9.6)), 0.05e-5);
    }

    @Property(tries = 50)
    void dbRoundTrip(@ForAll @DoubleRange(min = -60, max = 60) double db) {
        assertEquals(db, Snr.linearToDb(Snr.dbToLinear(db)), 1e-9);
    }

    @Test
    void badInputNamesTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Snr.dbToLinear(Double.NaN));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Snr.dbToLinear(Double.POSITIVE_INFINITY));
        assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Snr.linearToDb(0));
        assertThrows(IllegalArgumentException.class, () -> Snr.ebN0FromEsN0(1, 0));
        assertThrows(IllegalArgumentException.class, () -> AwgnChannel.of(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Snr.qFunction(Double.NaN));
    }
}
