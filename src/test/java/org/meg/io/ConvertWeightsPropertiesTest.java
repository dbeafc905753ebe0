package org.meg.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Property: a checkpoint with flipped bytes or cut short converts or fails with our exceptions, never crashes. */
class ConvertWeightsPropertiesTest {
    private static final List<String> FIXTURES = List.of("f32.ckpt", "f16.ckpt", "transposed.ckpt", "nested.ckpt");

    @Provide
    Arbitrary<String> fixtures() {
        return Arbitraries.of(FIXTURES);
    }

    @Property(tries = 300)
    void corruptedCheckpointsFailCleanly(@ForAll("fixtures") String name,
                                         @ForAll @IntRange(min = 0, max = 1_000_000) int where,
                                         @ForAll @IntRange(min = 1, max = 255) int xor,
                                         @ForAll @IntRange(min = 1, max = 4) int flips,
                                         @ForAll boolean truncate) throws IOException {
        byte[] b;
        try (InputStream in = getClass().getResourceAsStream("/ckpt/" + name)) {
            b = in.readAllBytes();
        }
        if (truncate) {
            b = java.util.Arrays.copyOf(b, where % b.length);
        } else {
            for (int i = 0; i < flips; i++) {
                b[(where + i * 131) % b.length] ^= (byte) xor;
            }
        }
        Path in = Files.createTempFile("corrupt", ".ckpt");
        Path out = Files.createTempFile("corrupt", ".safetensors");
        try {
            Files.write(in, b);
            ConvertWeights.convert(in, out, true, false, true);
        } catch (SafeTensorsException | PickleException expected) {
            // the only acceptable failures
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }
}
