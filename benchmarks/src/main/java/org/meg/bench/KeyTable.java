package org.meg.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** A (name, shape) table under construction, with the shapes of the engine's parameter kinds. */
final class KeyTable {
    private final Map<String, long[]> keys = new LinkedHashMap<>();

    /** The table so far. */
    Map<String, long[]> keys() {
        return keys;
    }

    /** {@code p.weight [out, in, k, k]} and {@code p.bias [out]}. */
    KeyTable conv(String p, int in, int out, int k) {
        keys.put(p + ".weight", new long[] {out, in, k, k});
        keys.put(p + ".bias", new long[] {out});
        return this;
    }

    /** {@code p.weight [out, in, k, k]} only. */
    KeyTable convNoBias(String p, int in, int out, int k) {
        keys.put(p + ".weight", new long[] {out, in, k, k});
        return this;
    }

    /** {@code p.weight [out, in]} and {@code p.bias [out]}. */
    KeyTable linear(String p, int in, int out) {
        keys.put(p + ".weight", new long[] {out, in});
        keys.put(p + ".bias", new long[] {out});
        return this;
    }

    /** {@code p.weight [out, in]} only. */
    KeyTable linearNoBias(String p, int in, int out) {
        keys.put(p + ".weight", new long[] {out, in});
        return this;
    }

    /** GroupNorm / LayerNorm {@code p.weight [c]}, {@code p.bias [c]}. */
    KeyTable norm(String p, int c) {
        keys.put(p + ".weight", new long[] {c});
        keys.put(p + ".bias", new long[] {c});
        return this;
    }

    /** Any other tensor. */
    KeyTable put(String name, long... shape) {
        keys.put(name, shape);
        return this;
    }
}
