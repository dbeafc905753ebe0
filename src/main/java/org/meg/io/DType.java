package org.meg.io;

/** Element types a safetensors file may declare, with their size in bytes. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** Parses a header dtype string; an unknown one is an error naming it and the tensor. */
    static DType parse(String s, String tensor) {
        for (DType d : values()) {
            if (d.name().equals(s)) {
                return d;
            }
        }
        throw new SafeTensorsException("tensor '" + tensor + "': unknown dtype '" + s + "'");
    }
}
