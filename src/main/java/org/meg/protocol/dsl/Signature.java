package org.meg.protocol.dsl;

import java.util.List;
import java.util.Map;

/**
 * The stages a script may call, with their input and output types.
 *
 * <table>
 * <caption>stages</caption>
 * <tr><th>op</th><th>inputs</th><th>output</th><th>paper</th></tr>
 * <tr><td>encode</td><td>IMAGE</td><td>SEED</td><td>inferencer: seed creation</td></tr>
 * <tr><td>denoise</td><td>SEED, TEXT</td><td>SEED</td><td>seed-to-seed generation</td></tr>
 * <tr><td>decode</td><td>SEED</td><td>IMAGE</td><td>seed-to-image generation</td></tr>
 * <tr><td>sketch</td><td>IMAGE, TEXT</td><td>SKETCH</td><td>sketcher (image-to-sketch)</td></tr>
 * <tr><td>complete</td><td>SKETCH, TEXT</td><td>IMAGE</td><td>completer (sketch-to-image)</td></tr>
 * <tr><td>split</td><td>X</td><td>list of X</td><td>sub-seeds / partial inputs, one per ES</td></tr>
 * <tr><td>merge</td><td>list of X</td><td>X</td><td>the UE merges the parts</td></tr>
 * <tr><td>select</td><td>list of X</td><td>X</td><td>the user picks one candidate</td></tr>
 * </table>
 */
public enum Signature {
    ENCODE("encode", List.of(ValueType.IMAGE), ValueType.SEED),
    DENOISE("denoise", List.of(ValueType.SEED, ValueType.TEXT), ValueType.SEED),
    DECODE("decode", List.of(ValueType.SEED), ValueType.IMAGE),
    SKETCH("sketch", List.of(ValueType.IMAGE, ValueType.TEXT), ValueType.SKETCH),
    COMPLETE("complete", List.of(ValueType.SKETCH, ValueType.TEXT), ValueType.IMAGE),
    SPLIT("split", null, null),
    MERGE("merge", null, null),
    SELECT("select", null, null);

    private static final Map<String, Signature> BY_NAME = Map.of(
            "encode", ENCODE, "denoise", DENOISE, "decode", DECODE, "sketch", SKETCH,
            "complete", COMPLETE, "split", SPLIT, "merge", MERGE, "select", SELECT);

    private final String op;
    private final List<ValueType> inputs;
    private final ValueType output;

    Signature(String op, List<ValueType> inputs, ValueType output) {
        this.op = op;
        this.inputs = inputs;
        this.output = output;
    }

    /** The stage called {@code op}, or null. */
    public static Signature of(String op) {
        return BY_NAME.get(op);
    }

    /** Script name of the stage. */
    public String op() {
        return op;
    }

    /** Input types of a fixed-type stage (null for split/merge/select). */
    public List<ValueType> inputs() {
        return inputs;
    }

    /** Output type of a fixed-type stage (null for split/merge/select). */
    public ValueType output() {
        return output;
    }
}
