package org.meg.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.commons.math3.random.RandomGenerator;

class CodingTest {
    @Property(tries = 100)
    void grayRoundTripAndAdjacency(@ForAll @IntRange(min = 0, max = 1 << 20) int n) {
        assertEquals(n, GrayCode.decode(GrayCode.encode(n)));
        assertEquals(1, Integer.bitCount(GrayCode.encode(n) ^ GrayCode.encode(n + 1)));
    }

    @Property(tries = 50)
    void bitsRoundTrip(@ForAll @IntRange(min = 1, max = 16) int width, @ForAll long seed) {
        RandomGenerator r = Randomness.seeded(seed);
        int[] levels = new int[1 + r.nextInt(50)];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = r.nextInt(1 << width);
        }
        assertArrayEquals(levels, Bits.toLevels(Bits.fromLevels(levels, width), levels.length, width));
    }

    @Property(tries = 50)
    void repetitionCorrectsMinorityFlips(@ForAll @IntRange(min = 0, max = 4) int half, @ForAll long seed) {
        int reps = 2 * half + 1;
        RepetitionCode code = RepetitionCode.of(reps);
        RandomGenerator r = Randomness.seeded(seed);
        boolean[] msg = new boolean[1 + r.nextInt(64)];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = r.nextBoolean();
        }
        boolean[] coded = code.encode(msg);
        assertEquals(code.codedLength(msg.length), coded.length);
        // flip up to (r - 1) / 2 copies of every bit
        for (int i = 0; i < msg.length; i++) {
            int flips = r.nextInt(half + 1);
            for (int j = 0; j < flips; j++) {
                coded[j * msg.length + i] = !coded[j * msg.length + i];
            }
        }
        assertArrayEquals(msg, code.decode(coded, msg.length));
    }

    @Property(tries = 10)
    void evenOrNonPositiveRepetitionRejected(@ForAll @IntRange(min = -3, max = 20) int r) {
        if (r >= 1 && r % 2 == 1) {
            assertEquals(1.0 / r, RepetitionCode.of(r).rate(), 0);
        } else {
            assertThrows(IllegalArgumentException.class, () -> RepetitionCode.of(r));
        }
    }
}
