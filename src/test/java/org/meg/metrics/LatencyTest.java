package org.meg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LatencyTest {
    @Test
    void formulas() {
        assertEquals(0.5, Latency.computeSeconds(2.0, 4.0), 0);
        // 1 MHz at 0 dB: log2(2) = 1 bit per use, 1 Mbit/s
        assertEquals(1.3824, Latency.digitalSeconds(1_382_400, 1e6, 0.0), 1e-12);
        // 15 dB-ish: SNR 31 gives exactly 5 bits per use
        assertEquals(5e6, Latency.shannonRate(1e6, 31), 1e-6);
        assertEquals(0.0018, Latency.analogSeconds(1_800, 1e6), 1e-15);
        assertEquals(0.0, Latency.digitalSeconds(0, 1e6, -20), 0);
    }

    @Test
    void timelineAddsSequencesAndOverlapsParallelBranches() throws Exception {
        Timeline es1 = Timeline.sequence("ES1", Timeline.step("uplink", 0.1), Timeline.step("denoise", 2.0),
                Timeline.step("downlink", 0.3));
        Timeline es2 = Timeline.sequence("ES2", Timeline.step("uplink", 0.1), Timeline.step("denoise", 1.0));
        Timeline run = Timeline.sequence("UIDG", Timeline.step("UE encode", 0.5), Timeline.parallel("edge", es1, es2),
                Timeline.step("UE decode", 0.25));
        assertEquals(2.4, es1.seconds(), 1e-12);
        assertEquals(2.4, run.parts().get(1).seconds(), 1e-12);
        assertEquals(3.15, run.seconds(), 1e-12);
        assertTrue(run.render().contains("[parallel]"), run.render());
        ObjectMapper json = new ObjectMapper();
        assertEquals(run, json.readValue(json.writeValueAsString(run), Timeline.class));
    }

    @Test
    void badInputIsNamed() {
        assertThrows(IllegalArgumentException.class, () -> Latency.computeSeconds(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Latency.digitalSeconds(1, 1e6, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Latency.analogSeconds(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Timeline.step("x", -1));
        assertThrows(IllegalArgumentException.class, () -> Timeline.parallel("empty"));
        assertThrows(IllegalArgumentException.class,
                () -> new Timeline("bad", Timeline.Kind.SEQUENCE, 5.0, java.util.List.of(Timeline.step("a", 1))));
    }
}
