package org.meg.io;

import java.util.LinkedHashMap;

/**
 * The allow-list of Python globals a torch checkpoint may import, each with what "calling" it means here.
 * Nothing is ever executed: a call builds an inert Java value. Any other global is refused by
 * {@link RestrictedUnpickler}; in particular {@code torch.storage._load_from_bytes} (a pickle inside the
 * pickle) and everything from {@code builtins}, {@code os}, {@code numpy} or {@code pytorch_lightning}.
 */
enum TorchGlobal {
    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}. */
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2", null) {
        @Override
        Object call(PickleTuple a, String at) {
            if (a.size() < 6 || a.size() > 7) {
                throw new PickleException(at + ": _rebuild_tensor_v2 takes 6 or 7 arguments, got " + a.size());
            }
            if (!(a.get(0) instanceof TorchStorage s)) {
                throw new PickleException(at + ": _rebuild_tensor_v2 storage argument is " + typeName(a.get(0)));
            }
            long offset = nonNegative(a.get(1), "storage offset", at);
            long[] shape = longs(a.get(2), "size", at);
            long[] stride = longs(a.get(3), "stride", at);
            if (shape.length != stride.length) {
                throw new PickleException(at + ": size has " + shape.length + " dimensions but stride has "
                        + stride.length);
            }
            return new TorchTensor(s, offset, shape, stride);
        }
    },
    /** {@code _rebuild_parameter(data, requires_grad, hooks)}: a Parameter is its tensor. */
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter", null) {
        @Override
        Object call(PickleTuple a, String at) {
            if (a.size() != 3 || !(a.get(0) instanceof TorchTensor t)) {
                throw new PickleException(at + ": _rebuild_parameter takes (tensor, requires_grad, hooks)");
            }
            return t;
        }
    },
    /** {@code OrderedDict()}: an empty insertion-ordered map, filled by SETITEMS. */
    ORDERED_DICT("collections", "OrderedDict", null) {
        @Override
        Object call(PickleTuple a, String at) {
            if (a.size() != 0) {
                throw new PickleException(at + ": OrderedDict with arguments is not supported");
            }
            return new LinkedHashMap<Object, Object>();
        }
    },
    DOUBLE_STORAGE("torch", "DoubleStorage", DType.F64),
    FLOAT_STORAGE("torch", "FloatStorage", DType.F32),
    HALF_STORAGE("torch", "HalfStorage", DType.F16),
    BFLOAT16_STORAGE("torch", "BFloat16Storage", DType.BF16),
    LONG_STORAGE("torch", "LongStorage", DType.I64),
    INT_STORAGE("torch", "IntStorage", DType.I32),
    SHORT_STORAGE("torch", "ShortStorage", DType.I16),
    CHAR_STORAGE("torch", "CharStorage", DType.I8),
    BYTE_STORAGE("torch", "ByteStorage", DType.U8),
    BOOL_STORAGE("torch", "BoolStorage", DType.BOOL);

    /** Largest tensor rank accepted. */
    static final int MAX_RANK = 64;

    private final String module;
    private final String name;
    private final DType storageType;

    TorchGlobal(String module, String name, DType storageType) {
        this.module = module;
        this.name = name;
        this.storageType = storageType;
    }

    /** The allowed global {@code module.name}, or {@code null} if it is not on the list. */
    static TorchGlobal find(String module, String name) {
        for (TorchGlobal g : values()) {
            if (g.module.equals(module) && g.name.equals(name)) {
                return g;
            }
        }
        return null;
    }

    /** Element type when this global is a storage class, else {@code null}. */
    DType storageType() {
        return storageType;
    }

    /** Builds the value of calling this global with {@code args} (REDUCE / NEWOBJ); {@code at} locates errors. */
    Object call(PickleTuple args, String at) {
        throw new PickleException(at + ": " + this + " cannot be called");
    }

    @Override
    public String toString() {
        return module + "." + name;
    }

    static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private static long nonNegative(Object o, String what, String at) {
        if (!(o instanceof Long v) || v < 0) {
            throw new PickleException(at + ": " + what + " must be a non-negative int, got " + typeName(o));
        }
        return v;
    }

    private static long[] longs(Object o, String what, String at) {
        if (!(o instanceof PickleTuple t) || t.size() > MAX_RANK) {
            throw new PickleException(at + ": " + what + " must be a tuple of at most " + MAX_RANK + " ints");
        }
        long[] r = new long[t.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = nonNegative(t.get(i), what + "[" + i + "]", at);
        }
        return r;
    }
}
