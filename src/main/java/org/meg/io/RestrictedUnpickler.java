package org.meg.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A pickle virtual machine that never runs Python code: it reads the opcodes of protocols 2 to 5
 * that {@code torch.save} writes and builds inert Java values.
 *
 * <p>Values: None is {@code null}, bool {@link Boolean}, int {@link Long} (or {@link BigInteger}),
 * float {@link Double}, str {@link String}, bytes {@code byte[]}, list {@link ArrayList}, tuple
 * {@link PickleTuple}, dict and OrderedDict {@link LinkedHashMap}. GLOBAL imports only the
 * {@link TorchGlobal} allow-list; anything else is refused with its name and byte offset.
 * Opcodes follow CPython {@code Lib/pickle.py} (https://github.com/python/cpython/blob/v3.11.7/Lib/pickle.py#L111).
 *
 * <p>Every length is checked against the bytes left before anything is allocated, and the number of
 * values pushed is bounded, so a hostile stream is a {@link PickleException}, never an out-of-memory.
 */
public final class RestrictedUnpickler {
    /** Largest number of values one stream may push (a real SD checkpoint pushes well under 10^6). */
    public static final int MAX_PUSHES = 4_000_000;
    private static final int MAX_LONG_BYTES = 64;

    private final byte[] in;
    private final Function<Object, Object> persistentLoader;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;
    private int op;
    private int pushes;

    private RestrictedUnpickler(byte[] in, Function<Object, Object> persistentLoader) {
        this.in = in;
        this.persistentLoader = persistentLoader;
    }

    /**
     * Runs the stream to STOP and returns its value. {@code persistentLoader} maps each persistent id
     * (BINPERSID) to a value and may throw a {@link PickleException} to refuse it.
     */
    public static Object load(byte[] pickle, Function<Object, Object> persistentLoader) {
        return new RestrictedUnpickler(pickle, persistentLoader).run();
    }

    private Object run() {
        while (true) {
            op = pos;
            int code = u8();
            switch (code) {
                case 0x80 -> { // PROTO
                    int p = u8();
                    if (p < 2 || p > 5) {
                        throw error("unsupported pickle protocol " + p);
                    }
                }
                case 0x95 -> len(8); // FRAME: a buffering hint; its length is only checked
                case '.' -> { // STOP
                    Object v = pop();
                    if (!stack.isEmpty() || !marks.isEmpty()) {
                        throw error("STOP with " + stack.size() + " values and " + marks.size() + " marks left");
                    }
                    return v;
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) i32()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (u8() | u8() << 8)); // BININT2
                case 0x8a -> push(longOf(len(1))); // LONG1
                case 0x8b -> push(longOf(len(4))); // LONG4
                case 'G' -> push(Double.longBitsToDouble(be64())); // BINFLOAT
                case 'X' -> push(utf8(len(4))); // BINUNICODE
                case 0x8c -> push(utf8(len(1))); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(len(8))); // BINUNICODE8
                case 'T' -> push(latin1(len(4))); // BINSTRING (Python 2 str)
                case 'U' -> push(latin1(len(1))); // SHORT_BINSTRING
                case 'B' -> push(bytes(len(4))); // BINBYTES
                case 'C' -> push(bytes(len(1))); // SHORT_BINBYTES
                case 0x8e, 0x96 -> push(bytes(len(8))); // BINBYTES8, BYTEARRAY8
                case ')' -> push(PickleTuple.of(List.of())); // EMPTY_TUPLE
                case 't' -> push(PickleTuple.of(popMark())); // TUPLE
                case 0x85, 0x86, 0x87 -> tupleN(code - 0x84); // TUPLE1..3
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 'd' -> setItems(new LinkedHashMap<>(), popMark(), true); // DICT
                case 'a' -> appendTo(peekBelow(1), Arrays.asList(pop())); // APPEND
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    appendTo(peek(), items);
                }
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    setItems(peek(), Arrays.asList(k, v), false);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    setItems(peek(), items, false);
                }
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(i32() & 0xffffffffL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(i32() & 0xffffffffL)); // LONG_BINGET
                case 'c' -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings");
                    }
                    push(global(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    push(call(pop(), args));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop();
                    push(call(pop(), args));
                }
                case 'b' -> build(pop(), peek()); // BUILD
                case 'Q' -> push(persistentLoader.apply(pop())); // BINPERSID
                default -> throw error(String.format("unsupported opcode 0x%02x", code));
            }
        }
    }

    // ---- stack ----

    private void push(Object v) {
        if (++pushes > MAX_PUSHES) {
            throw error("more than " + MAX_PUSHES + " values: refusing to go on");
        }
        stack.add(v);
    }

    private Object pop() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw error("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        return peekBelow(0);
    }

    private Object peekBelow(int depth) {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() - depth <= floor) {
            throw error("stack underflow");
        }
        return stack.get(stack.size() - 1 - depth);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw error("no MARK on the stack");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> sub = stack.subList(m, stack.size());
        List<Object> items = new ArrayList<>(sub);
        sub.clear();
        return items;
    }

    private void tupleN(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        push(PickleTuple.of(Arrays.asList(items)));
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw error("memo index " + index + " was never stored");
        }
        return memo.get(index);
    }

    // ---- containers and calls ----

    @SuppressWarnings("unchecked")
    private void appendTo(Object target, List<Object> items) {
        if (!(target instanceof ArrayList<?> list)) {
            throw error("APPEND to " + TorchGlobal.typeName(target) + ", not a list");
        }
        ((List<Object>) list).addAll(items);
    }

    @SuppressWarnings("unchecked")
    private void setItems(Object target, List<Object> kv, boolean pushAfter) {
        if (!(target instanceof Map<?, ?> map)) {
            throw error("SETITEM on " + TorchGlobal.typeName(target) + ", not a dict");
        }
        if (kv.size() % 2 != 0) {
            throw error("odd number of dict items");
        }
        for (int i = 0; i < kv.size(); i += 2) {
            Object k = kv.get(i);
            // Only scalar keys: a list or tuple key could be cyclic and hashing it would never end.
            if (!(k == null || k instanceof String || k instanceof Long || k instanceof BigInteger
                    || k instanceof Double || k instanceof Boolean)) {
                throw error("dict key of type " + TorchGlobal.typeName(k) + " is not supported");
            }
            ((Map<Object, Object>) map).put(k, kv.get(i + 1));
        }
        if (pushAfter) {
            push(target);
        }
    }

    private Object global(String module, String name) {
        TorchGlobal g = TorchGlobal.find(module, name);
        if (g == null) {
            throw new PickleException("refusing to import " + module + "." + name + " at offset " + op
                    + " (not on the allow-list of torch tensor globals)");
        }
        return g;
    }

    private Object call(Object callable, Object args) {
        if (!(callable instanceof TorchGlobal g)) {
            throw error("cannot call a " + TorchGlobal.typeName(callable));
        }
        if (!(args instanceof PickleTuple t)) {
            throw error("arguments to " + g + " are a " + TorchGlobal.typeName(args) + ", not a tuple");
        }
        return g.call(t, "offset " + op);
    }

    private void build(Object state, Object target) {
        // An OrderedDict state_dict carries a _metadata attribute (module versions): not needed, dropped.
        if (!(target instanceof Map<?, ?>) && !(target instanceof TorchTensor)) {
            throw error("BUILD on a " + TorchGlobal.typeName(target) + " is not supported");
        }
    }

    // ---- reading bytes ----

    private int u8() {
        need(1);
        return in[pos++] & 0xff;
    }

    private int i32() {
        need(4);
        int v = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8 | (in[pos + 2] & 0xff) << 16 | (in[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private long be64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (in[pos++] & 0xff);
        }
        return v;
    }

    /** Reads an unsigned little-endian length of {@code width} bytes and checks it fits in what is left. */
    private int len(int width) {
        need(width);
        long v = 0;
        for (int i = 0; i < width; i++) {
            v |= (long) (in[pos + i] & 0xff) << (8 * i);
        }
        pos += width;
        if (v < 0 || v > in.length - pos) {
            throw error("length " + Long.toUnsignedString(v) + " runs past the end (" + (in.length - pos)
                    + " bytes left)");
        }
        return (int) v;
    }

    private void need(int n) {
        if (n > in.length - pos) {
            throw error("truncated: needs " + n + " more bytes, " + (in.length - pos) + " left");
        }
    }

    private byte[] bytes(int n) {
        byte[] b = Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return b;
    }

    private Object longOf(int n) {
        if (n > MAX_LONG_BYTES) {
            throw error("integer of " + n + " bytes is too long");
        }
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String utf8(int n) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in, pos, n)).toString();
        } catch (CharacterCodingException e) {
            throw error("string is not valid UTF-8");
        } finally {
            pos += n;
        }
    }

    private String latin1(int n) {
        String s = new String(in, pos, n, StandardCharsets.ISO_8859_1);
        pos += n;
        return s;
    }

    /** A GLOBAL operand: printable ASCII up to a newline. */
    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            if (in[pos] < 0x20 || in[pos] > 0x7e) {
                throw error("GLOBAL name is not printable ASCII");
            }
            pos++;
        }
        if (pos >= in.length) {
            throw error("truncated GLOBAL name");
        }
        return new String(in, start, pos++ - start, StandardCharsets.US_ASCII);
    }

    private PickleException error(String message) {
        return new PickleException("pickle offset " + op + ": " + message);
    }
}
