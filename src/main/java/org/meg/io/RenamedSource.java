package org.meg.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A source seen through a key-rename table: how another checkpoint layout (diffusers folders)
 * is presented to a model whose object tree follows the original layout.
 *
 * <p>{@code rename} maps a stored key to the canonical key; {@code reshape} may give a tensor a
 * different canonical shape with the same elements (e.g. a Linear [C, C] as a 1x1 conv
 * [C, C, 1, 1]); it returns {@code null} to keep the stored shape.
 */
public final class RenamedSource implements TensorSource {
    private final TensorSource base;
    private final Map<String, String> canonicalToStored;
    private final BiFunction<String, long[], long[]> reshape;

    private RenamedSource(TensorSource base, Map<String, String> canonicalToStored,
                          BiFunction<String, long[], long[]> reshape) {
        this.base = base;
        this.canonicalToStored = canonicalToStored;
        this.reshape = reshape;
    }

    /** Renames every key of {@code base}; two stored keys with one canonical name are an error. */
    public static RenamedSource of(TensorSource base, UnaryOperator<String> rename,
                                   BiFunction<String, long[], long[]> reshape) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String stored : base.names()) {
            String canonical = rename.apply(stored);
            String previous = map.put(canonical, stored);
            if (previous != null) {
                throw new SafeTensorsException("keys '" + previous + "' and '" + stored
                        + "' both map to '" + canonical + "'");
            }
        }
        return new RenamedSource(base, Collections.unmodifiableMap(map), reshape);
    }

    /** The stored key behind a canonical one, for error messages. */
    public String storedName(String canonical) {
        return canonicalToStored.get(canonical);
    }

    @Override
    public Set<String> names() {
        return canonicalToStored.keySet();
    }

    @Override
    public long[] shape(String name) {
        String stored = stored(name);
        long[] s = base.shape(stored);
        long[] r = reshape.apply(name, s);
        return r == null ? s : r;
    }

    @Override
    public INDArray load(String name) {
        String stored = stored(name);
        INDArray a = base.load(stored);
        long[] r = reshape.apply(name, a.shape());
        return r == null ? a : a.reshape('c', r);
    }

    private String stored(String name) {
        String s = canonicalToStored.get(name);
        if (s == null) {
            throw new SafeTensorsException("missing key '" + name + "'");
        }
        return s;
    }

    @Override
    public void close() {
        base.close();
    }
}
