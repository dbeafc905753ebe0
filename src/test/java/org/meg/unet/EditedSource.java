package org.meg.unet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.meg.io.SafeTensorsException;
import org.meg.io.TensorSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** An in-memory edit of a source: keys removed, or replaced/added with zero tensors of a given shape. */
final class EditedSource implements TensorSource {
    private final TensorSource base;
    private final Set<String> names;
    private final Map<String, long[]> replaced;

    private EditedSource(TensorSource base, Set<String> removed, Map<String, long[]> replaced) {
        this.base = base;
        Set<String> n = new LinkedHashSet<>(base.names());
        n.removeAll(removed);
        n.addAll(replaced.keySet());
        this.names = Collections.unmodifiableSet(n);
        this.replaced = new LinkedHashMap<>(replaced);
    }

    /** {@code base} without {@code key}. */
    static EditedSource without(TensorSource base, String key) {
        return new EditedSource(base, Set.of(key), Map.of());
    }

    /** {@code base} with {@code key} (present or not) holding zeros of {@code shape}. */
    static EditedSource with(TensorSource base, String key, long... shape) {
        return new EditedSource(base, Set.of(), Map.of(key, shape));
    }

    @Override
    public Set<String> names() {
        return names;
    }

    @Override
    public long[] shape(String name) {
        if (!names.contains(name)) {
            throw new SafeTensorsException("missing key '" + name + "'");
        }
        long[] s = replaced.get(name);
        return s != null ? s.clone() : base.shape(name);
    }

    @Override
    public INDArray load(String name) {
        long[] s = replaced.get(name);
        if (!names.contains(name)) {
            throw new SafeTensorsException("missing key '" + name + "'");
        }
        return s != null ? Nd4j.zeros(DataType.FLOAT, s) : base.load(name);
    }
}
