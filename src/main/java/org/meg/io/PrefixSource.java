package org.meg.io;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The tensors of a source whose names start with a prefix, with the prefix removed. */
public final class PrefixSource implements TensorSource {
    private final TensorSource base;
    private final String prefix;
    private final Set<String> names;

    private PrefixSource(TensorSource base, String prefix) {
        this.base = base;
        this.prefix = prefix;
        Set<String> n = new LinkedHashSet<>();
        for (String k : base.names()) {
            if (k.startsWith(prefix)) {
                n.add(k.substring(prefix.length()));
            }
        }
        this.names = Collections.unmodifiableSet(n);
    }

    /** A view of {@code base} under {@code prefix} (e.g. {@code "model.diffusion_model."}). */
    public static PrefixSource of(TensorSource base, String prefix) {
        return new PrefixSource(base, prefix);
    }

    @Override
    public Set<String> names() {
        return names;
    }

    @Override
    public long[] shape(String name) {
        return base.shape(prefix + name);
    }

    @Override
    public INDArray load(String name) {
        return base.load(prefix + name);
    }
}
