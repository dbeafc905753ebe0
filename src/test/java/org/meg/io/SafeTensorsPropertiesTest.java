package org.meg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties: every valid file round-trips; every corruption is a SafeTensorsException, never a crash. */
class SafeTensorsPropertiesTest {
    record Tensor(String name, long[] shape, float[] values) {
    }

    @Provide
    Arbitrary<List<Tensor>> tensorSets() {
        Arbitrary<Tensor> one = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12),
                Arbitraries.integers().between(0, 5).list().ofMinSize(0).ofMaxSize(3))
                .as((name, dims) -> {
                    long[] shape = dims.stream().mapToLong(Integer::longValue).toArray();
                    int n = 1;
                    for (long d : shape) {
                        n *= (int) d;
                    }
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) Math.sin(name.hashCode() + i) * 1e3f;
                    }
                    return new Tensor(name, shape, v);
                });
        return one.list().ofMinSize(1).ofMaxSize(6).uniqueElements(Tensor::name);
    }

    @Property(tries = 60)
    void validFilesRoundTrip(@ForAll("tensorSets") List<Tensor> tensors) throws IOException {
        Path p = Files.createTempFile("prop", ".safetensors");
        try {
            SafeTensorsWriter w = SafeTensorsWriter.create();
            tensors.forEach(t -> w.putF32(t.name(), t.values(), t.shape()));
            w.write(p);
            try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
                assertEquals(tensors.size(), f.names().size());
                for (Tensor t : tensors) {
                    assertArrayEquals(t.shape(), f.shape(t.name()));
                    assertArrayEquals(t.values(), f.floats(t.name()));
                }
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Property(tries = 200)
    void corruptedFilesFailCleanly(@ForAll("tensorSets") List<Tensor> tensors,
                                   @ForAll @IntRange(min = 0, max = 10_000) int position,
                                   @ForAll @IntRange(min = 0, max = 255) int value,
                                   @ForAll @IntRange(min = 0, max = 2) int mode) throws IOException {
        Path p = Files.createTempFile("corrupt", ".safetensors");
        try {
            SafeTensorsWriter w = SafeTensorsWriter.create();
            tensors.forEach(t -> w.putF32(t.name(), t.values(), t.shape()));
            w.write(p);
            byte[] bytes = Files.readAllBytes(p);
            int at = position % bytes.length;
            byte[] bad = switch (mode) {
                case 0 -> java.util.Arrays.copyOf(bytes, at);                    // truncate
                case 1 -> { byte[] c = bytes.clone(); c[at] = (byte) value; yield c; }   // flip a byte
                default -> { byte[] c = bytes.clone(); c[at % 8] = (byte) value; yield c; } // header length
            };
            Files.write(p, bad);
            try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
                // A change that keeps the file valid (e.g. inside the data) must still read every tensor.
                for (String n : f.names()) {
                    f.floats(n);
                }
            } catch (SafeTensorsException expected) {
                // the only failure allowed
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }
}
