package org.meg.nn;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.meg.io.SafeTensorsException;
import org.meg.io.TensorSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A strict view of a checkpoint under a key prefix: the object tree walks it with
 * {@link #child(String)} and takes each parameter once with {@link #take(String, long...)}.
 *
 * <p>All views made from one root share a record of what was taken, so after building a model
 * {@link #requireAllTaken(Predicate)} reports every key the model did not use (nanoGPT
 * {@code from_pretrained}: missing, unexpected and mis-shaped keys are all errors).
 */
public final class Weights {
    private final TensorSource source;
    private final String prefix;
    private final Set<String> taken;

    private Weights(TensorSource source, String prefix, Set<String> taken) {
        this.source = source;
        this.prefix = prefix;
        this.taken = taken;
    }

    /** A root view of the whole source. */
    public static Weights of(TensorSource source) {
        return new Weights(source, "", new HashSet<>());
    }

    /** The view under {@code prefix + name + "."}. */
    public Weights child(String name) {
        return new Weights(source, prefix + name + ".", taken);
    }

    /** The view under {@code prefix + a + "." + b + ...}, one child per fragment. */
    public Weights child(Object... fragments) {
        Weights w = this;
        for (Object f : fragments) {
            w = w.child(String.valueOf(f));
        }
        return w;
    }

    /** The full key this view gives to a parameter name. */
    public String key(String name) {
        return prefix + name;
    }

    /** Whether the source holds this parameter. */
    public boolean has(String name) {
        return source.names().contains(prefix + name);
    }

    /** Shape of a parameter as stored; an error naming the key if it is missing. */
    public long[] shapeOf(String name) {
        String key = prefix + name;
        if (!source.names().contains(key)) {
            throw new SafeTensorsException("missing key '" + key + "'");
        }
        return source.shape(key);
    }

    /** Loads a parameter whose shape must equal {@code expected}; marks it taken. */
    public INDArray take(String name, long... expected) {
        String key = prefix + name;
        if (!source.names().contains(key)) {
            throw new SafeTensorsException("missing key '" + key + "' (model expects shape "
                    + Arrays.toString(expected) + ")");
        }
        long[] actual = source.shape(key);
        if (!Arrays.equals(actual, expected)) {
            throw new SafeTensorsException("key '" + key + "': checkpoint has shape " + Arrays.toString(actual)
                    + ", model expects " + Arrays.toString(expected));
        }
        taken.add(key);
        return source.load(key);
    }

    /** Keys under this view's prefix that no layer took and {@code ignore} does not accept. */
    public List<String> untaken(Predicate<String> ignore) {
        TreeSet<String> left = new TreeSet<>();
        for (String k : source.names()) {
            if (k.startsWith(prefix) && !taken.contains(k) && !ignore.test(k)) {
                left.add(k);
            }
        }
        return List.copyOf(left);
    }

    /** Throws naming the unexpected keys (up to 10) if any key under this prefix was not taken. */
    public void requireAllTaken(Predicate<String> ignore) {
        List<String> left = untaken(ignore);
        if (!left.isEmpty()) {
            throw new SafeTensorsException(left.size() + " unexpected key(s) in checkpoint, e.g. "
                    + left.subList(0, Math.min(10, left.size())));
        }
    }
}
