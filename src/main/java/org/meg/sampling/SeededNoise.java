package org.meg.sampling;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Standard-normal draws from a 64-bit seed. Each named draw has its own stream, seeded by
 * mixing the seed with the name's bytes, so the values do not depend on the order of draws:
 * the same seed and name give bit-identical tensors on every run and backend.
 */
public final class SeededNoise implements NoiseSource {
    private final long seed;

    private SeededNoise(long seed) {
        this.seed = seed;
    }

    /** A source for this seed. */
    public static SeededNoise of(long seed) {
        return new SeededNoise(seed);
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** An independent source for a labelled sub-task (e.g. {@code "ES2/denoise"}), same mixing. */
    public SeededNoise derive(String label) {
        return new SeededNoise(streamSeed(seed, label));
    }

    /** A stream seed for a named draw (also a general seed mixer): SplitMix64 finaliser over seed and the name's UTF-8 bytes. */
    public static long streamSeed(long seed, String name) {
        long h = seed ^ 0x9E3779B97F4A7C15L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xff));
        }
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public INDArray normal(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        SplittableRandom r = new SplittableRandom(streamSeed(seed, name));
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Nd4j.create(v, shape, 'c');
    }
}
