package org.meg.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A legacy PyTorch checkpoint ({@code torch.save}, torch >= 1.6 zip format) read without running pickle:
 * {@code <archive>/data.pkl} is run by the {@link RestrictedUnpickler}, and each storage is the raw
 * little-endian zip entry {@code <archive>/data/<key>}.
 *
 * <p>Opening: 1. find the one {@code data.pkl}; 2. unpickle it, checking every persistent id names an
 * existing storage entry; 3. take {@code state_dict} if the top-level dict has one, and flatten nested
 * dicts with dots; other values (epoch, global_step, optimizer state) are listed by {@link #skipped()}.
 * Tensor bytes are read only by {@link #bytes(String)}.
 */
public final class TorchCheckpoint implements AutoCloseable {
    /** Largest {@code data.pkl} accepted (SD 1.x checkpoints have a few hundred KB). */
    public static final long MAX_PICKLE_BYTES = 64L << 20;
    /** Largest tensor materialised, in bytes (one Java array). */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;
    /** Largest tensor allowed to be bigger than the storage bytes it reads (a view with zero strides). */
    public static final long MAX_EXPANDED_BYTES = 64L << 20;
    private static final int MAX_DEPTH = 32;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

    private final Path path;
    private final ZipFile zip;
    private final String archive;
    private final Map<String, TorchTensor> tensors;
    private final List<String> skipped;

    private TorchCheckpoint(Path path, ZipFile zip, String archive, Map<String, TorchTensor> tensors,
                            List<String> skipped) {
        this.path = path;
        this.zip = zip;
        this.archive = archive;
        this.tensors = tensors;
        this.skipped = skipped;
    }

    /** Opens a checkpoint and reads its structure; a malformed or hostile file is an exception naming why. */
    public static TorchCheckpoint open(Path path) {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw new SafeTensorsException(path + ": not a readable zip checkpoint: " + e.getMessage(), e);
        }
        try {
            return read(path, zip);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    private static TorchCheckpoint read(Path path, ZipFile zip) {
        String archive = archiveDir(path, zip);
        if (zip.getEntry(archive + "byteorder") != null
                && !new String(readWhole(path, zip, archive + "byteorder", 16), StandardCharsets.US_ASCII).equals("little")) {
            throw new SafeTensorsException(path + ": storages are not little-endian");
        }
        byte[] pickle = readWhole(path, zip, archive + "data.pkl", MAX_PICKLE_BYTES);
        Object root = RestrictedUnpickler.load(pickle, pid -> storage(path, zip, archive, pid));
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        if (!(root instanceof Map<?, ?> top)) {
            throw new SafeTensorsException(path + ": data.pkl holds a " + TorchGlobal.typeName(root)
                    + ", not a dict of tensors");
        }
        Object stateDict = top.get("state_dict");
        if (stateDict instanceof Map<?, ?> sd) {
            top.forEach((k, v) -> {
                if (!"state_dict".equals(k)) {
                    skipped.add(k + " (" + TorchGlobal.typeName(v) + ")");
                }
            });
            flatten(path, "", sd, 0, tensors, skipped, Collections.newSetFromMap(new IdentityHashMap<>()));
        } else {
            flatten(path, "", top, 0, tensors, skipped, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        return new TorchCheckpoint(path, zip, archive, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableList(skipped));
    }

    /** The single top-level folder holding {@code data.pkl} ("archive/" since torch 1.6; older: the file stem). */
    private static String archiveDir(Path path, ZipFile zip) {
        String found = null;
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            String n = e.nextElement().getName();
            int slash = n.indexOf('/');
            if (slash > 0 && n.substring(slash + 1).equals("data.pkl")) {
                if (found != null) {
                    throw new SafeTensorsException(path + ": more than one data.pkl");
                }
                found = n.substring(0, slash + 1);
            }
        }
        if (found == null) {
            throw new SafeTensorsException(path + ": no <archive>/data.pkl entry: not a torch >= 1.6 checkpoint");
        }
        return found;
    }

    /** Resolves a persistent id {@code ('storage', torch.XStorage, key, location, numel)}. */
    private static Object storage(Path path, ZipFile zip, String archive, Object pid) {
        if (!(pid instanceof PickleTuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw new PickleException(path + ": persistent id is not ('storage', type, key, location, numel)");
        }
        if (!(t.get(1) instanceof TorchGlobal g) || g.storageType() == null) {
            throw new PickleException(path + ": persistent id storage type is " + TorchGlobal.typeName(t.get(1)));
        }
        if (!(t.get(2) instanceof String key) || !KEY.matcher(key).matches()) {
            throw new PickleException(path + ": persistent id has a bad storage key");
        }
        if (!(t.get(3) instanceof String location) || !(t.get(4) instanceof Long numel) || numel < 0) {
            throw new PickleException(path + ": persistent id for storage '" + key + "' has a bad location or size");
        }
        if (zip.getEntry(archive + "data/" + key) == null) {
            throw new SafeTensorsException(path + ": storage '" + key + "' has no entry " + archive + "data/" + key);
        }
        return new TorchStorage(key, g.storageType(), location, numel);
    }

    private static void flatten(Path path, String prefix, Map<?, ?> map, int depth, Map<String, TorchTensor> out,
                                List<String> skipped, Set<Object> seen) {
        if (!seen.add(map) || depth > MAX_DEPTH) {
            throw new SafeTensorsException(path + ": dict at '" + prefix + "' is cyclic or nested too deep");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = prefix + e.getKey();
            Object v = e.getValue();
            if (!(e.getKey() instanceof String)) {
                skipped.add(name + " (non-string key)");
            } else if (v instanceof TorchTensor t) {
                if (out.put(name, t) != null) {
                    throw new SafeTensorsException(path + ": tensor name '" + name + "' occurs twice");
                }
            } else if (v instanceof Map<?, ?> sub) {
                flatten(path, name + ".", sub, depth + 1, out, skipped, seen);
            } else {
                skipped.add(name + " (" + TorchGlobal.typeName(v) + ")");
            }
        }
        seen.remove(map);
    }

    /** Path of the checkpoint. */
    public Path path() {
        return path;
    }

    /** Tensor names in file order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** Element type of a tensor. */
    public DType dtype(String name) {
        return tensor(name).dtype();
    }

    /** Shape of a tensor. */
    public long[] shape(String name) {
        return tensor(name).shape().clone();
    }

    /** Values that are not tensors, as {@code "key (Type)"}, in the order met. */
    public List<String> skipped() {
        return skipped;
    }

    /**
     * The tensor's elements as contiguous row-major little-endian bytes; a strided view is copied.
     * The storage must hold every element the offset, shape and strides reach.
     */
    public byte[] bytes(String name) {
        TorchTensor t = tensor(name);
        int elem = t.dtype().bytes();
        long numel;
        long last = t.offset();
        long outBytes;
        try {
            numel = t.numel();
            outBytes = Math.multiplyExact(numel, elem);
            for (int i = 0; i < t.shape().length; i++) {
                if (t.shape()[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(t.shape()[i] - 1, t.stride()[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw error(name, "size overflows: " + t);
        }
        if (numel == 0) {
            return new byte[0];
        }
        if (outBytes > MAX_TENSOR_BYTES || last >= MAX_TENSOR_BYTES / elem) {
            throw error(name, "larger than " + MAX_TENSOR_BYTES + " bytes: " + t);
        }
        int needed = (int) ((last + 1) * elem);
        if (outBytes > needed && outBytes > MAX_EXPANDED_BYTES) {
            throw error(name, "a view that expands " + needed + " storage bytes to " + outBytes + ": " + t);
        }
        String entryName = archive + "data/" + t.storage().key();
        byte[] storage = readPrefix(path, zip, entryName, needed);
        if (storage.length < needed) {
            throw error(name, "storage entry " + entryName + " has " + storage.length + " bytes, " + t
                    + " needs " + needed);
        }
        if (t.contiguous()) {
            int from = (int) (t.offset() * elem);
            return Arrays.copyOfRange(storage, from, from + (int) outBytes);
        }
        return gather(t, storage, elem, (int) numel);
    }

    /** Copies a strided view to row-major order: element i of the output is storage[offset + sum(idx_d * stride_d)]. */
    private static byte[] gather(TorchTensor t, byte[] storage, int elem, int numel) {
        long[] shape = t.shape();
        long[] stride = t.stride();
        int rank = shape.length;
        long[] idx = new long[rank];
        byte[] out = new byte[numel * elem];
        long src = t.offset();
        for (int i = 0; i < numel; i++) {
            System.arraycopy(storage, (int) (src * elem), out, i * elem, elem);
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    src += stride[d];
                    break;
                }
                src -= (shape[d] - 1) * stride[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    private TorchTensor tensor(String name) {
        TorchTensor t = tensors.get(name);
        if (t == null) {
            throw new SafeTensorsException(path + ": no tensor '" + name + "'");
        }
        return t;
    }

    private SafeTensorsException error(String name, String message) {
        return new SafeTensorsException(path + ": tensor '" + name + "': " + message);
    }

    /** Reads a whole entry of at most {@code max} bytes. */
    private static byte[] readWhole(Path path, ZipFile zip, String name, long max) {
        byte[] b = readPrefix(path, zip, name, max + 1);
        if (b.length > max) {
            throw new SafeTensorsException(path + ": " + name + " is more than " + max + " bytes");
        }
        return b;
    }

    /** Reads the first {@code n} bytes of an entry, or all of it if it is shorter. */
    private static byte[] readPrefix(Path path, ZipFile zip, String name, long n) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new SafeTensorsException(path + ": missing zip entry " + name);
        }
        // readNBytes grows its buffer with the bytes actually read, so a lying size header cannot force a huge allocation
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readNBytes((int) Math.min(n, MAX_TENSOR_BYTES));
        } catch (IOException | RuntimeException e) {
            throw new SafeTensorsException(path + ": cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException e) {
            // nothing was written, nothing to lose
        }
    }
}
