package org.meg.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A checkpoint of deterministic random tensors for a given (name, shape) list, made when
 * loaded: norm scales 1, biases N(0, 0.02^2), other weights N(0, 1/fanIn) so activations stay O(1).
 * For tests and benchmarks of full-size architectures without a download.
 */
public final class RandomWeights implements TensorSource {
    private final Map<String, long[]> shapes;
    private final long seed;

    private RandomWeights(Map<String, long[]> shapes, long seed) {
        this.shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
        this.seed = seed;
    }

    /** A source over {@code shapes}; the same seed gives the same tensors. */
    public static RandomWeights of(Map<String, long[]> shapes, long seed) {
        return new RandomWeights(shapes, seed);
    }

    @Override
    public Set<String> names() {
        return shapes.keySet();
    }

    @Override
    public long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new SafeTensorsException("missing key '" + name + "'");
        }
        return s.clone();
    }

    @Override
    public INDArray load(String name) {
        long[] s = shape(name);
        if (s.length == 1 && name.endsWith(".weight")) {
            return Nd4j.ones(DataType.FLOAT, s);                       // GroupNorm / LayerNorm scale
        }
        INDArray a = Nd4j.randn(seed * 31 + name.hashCode(), s).castTo(DataType.FLOAT);
        if (s.length == 1) {
            return a.muli(0.02);                                        // bias
        }
        long fanIn = 1;
        for (int i = 1; i < s.length; i++) {
            fanIn *= s[i];
        }
        return a.muli(1.0 / Math.sqrt(fanIn));
    }
}
