package org.meg.protocol.dsl;

import java.util.List;

/** One line of a protocol script. */
public sealed interface Step permits Step.Compute, Step.Send {
    /** 1-based line number in the script. */
    int line();

    /** The line as written (for error messages and reports). */
    String text();

    /**
     * {@code NODE: out = op(arg, ...)}: run a stage on a node.
     *
     * @param node   where it runs
     * @param output name of the result
     * @param op     stage name (encode, denoise, decode, sketch, complete, split, merge, select, ...)
     * @param args   names of the inputs
     */
    record Compute(int line, String text, Node node, String output, String op, List<String> args) implements Step {
        /** Defensive copy. */
        public Compute {
            args = List.copyOf(args);
        }
    }

    /**
     * {@code FROM -> TO: value} (or {@code value[*]} to scatter list element i to ES i).
     *
     * @param value   what is sent
     * @param from    sender
     * @param to      receiver
     * @param scatter element i of a list goes to ES i
     */
    record Send(int line, String text, String value, Node from, Node to, boolean scatter) implements Step {
    }
}
