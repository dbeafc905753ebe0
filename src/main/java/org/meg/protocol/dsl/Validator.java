package org.meg.protocol.dsl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a script for N edge servers before anything runs: every value used is held by the node
 * that uses it, every send leaves a node that holds the value over a UE-ES link, types fit the
 * stages, every result is used, and the UE ends with an {@code output} image (or list of them).
 * Each error names the step.
 */
public final class Validator {
    /** The type of a value held by a node: a single value or a list of N. */
    public record Held(ValueType type, boolean list, int definedAt) {
    }

    private final int edgeServers;
    private final Map<String, Map<String, Held>> holdings = new LinkedHashMap<>();
    private final Map<String, Boolean> used = new LinkedHashMap<>();

    private Validator(int edgeServers) {
        this.edgeServers = edgeServers;
    }

    /** Validates {@code script} for {@code edgeServers} ESs; returns the type of {@code output}. */
    public static Held validate(ProtocolScript script, int edgeServers) {
        if (edgeServers < 1) {
            throw new IllegalArgumentException("number of edge servers N must be >= 1, got " + edgeServers);
        }
        return new Validator(edgeServers).run(script);
    }

    private Held run(ProtocolScript script) {
        define("UE", "image", new Held(ValueType.IMAGE, false, 0), true);
        define("UE", "prompt", new Held(ValueType.TEXT, false, 0), true);
        for (Step step : script.steps()) {
            if (step instanceof Step.Compute c) {
                for (String n : nodes(c.node(), c)) {
                    compute(n, c);
                }
            } else {
                send((Step.Send) step);
            }
        }
        Held out = holdings.get("UE").get("output");
        if (out == null) {
            throw new ProtocolException(0, "", "protocol " + script.name() + " never defines 'output' on the UE");
        }
        if (out.type() != ValueType.IMAGE) {
            throw new ProtocolException(0, "", "'output' on the UE must be an IMAGE, it is " + describe(out));
        }
        used.put(key("UE", "output"), true);
        for (Map.Entry<String, Boolean> e : used.entrySet()) {
            if (!e.getValue()) {
                String[] parts = e.getKey().split("/", 2);
                Held h = holdings.get(parts[0]).get(parts[1]);
                throw new ProtocolException(h.definedAt(), "", "result '" + parts[1] + "' on " + parts[0]
                        + " (line " + h.definedAt() + ") is never used");
            }
        }
        return out;
    }

    private List<String> nodes(Node node, Step step) {
        List<String> out = new ArrayList<>();
        switch (node.kind()) {
            case UE -> out.add("UE");
            case ES -> {
                if (node.index() > edgeServers) {
                    throw new ProtocolException(step.line(), step.text(), "ES" + node.index()
                            + " does not exist with N = " + edgeServers);
                }
                out.add("ES" + node.index());
            }
            case EACH_ES -> {
                for (int i = 1; i <= edgeServers; i++) {
                    out.add("ES" + i);
                }
            }
        }
        return out;
    }

    private void compute(String node, Step.Compute c) {
        Signature sig = Signature.of(c.op());
        if (sig == null) {
            throw new ProtocolException(c.line(), c.text(), "unknown stage '" + c.op()
                    + "' (known: encode, denoise, decode, sketch, complete, split, merge, select)");
        }
        List<Held> in = new ArrayList<>();
        for (String a : c.args()) {
            in.add(use(node, a, c));
        }
        Held out = switch (sig) {
            case SPLIT -> {
                arity(c, in, 1);
                if (in.get(0).list() || in.get(0).type() == ValueType.TEXT) {
                    throw new ProtocolException(c.line(), c.text(), "split needs one image, seed or sketch");
                }
                yield new Held(in.get(0).type(), true, c.line());
            }
            case MERGE, SELECT -> {
                arity(c, in, 1);
                if (!in.get(0).list()) {
                    throw new ProtocolException(c.line(), c.text(), c.op() + " needs a list (one value per ES), got "
                            + describe(in.get(0)));
                }
                yield new Held(in.get(0).type(), false, c.line());
            }
            default -> {
                arity(c, in, sig.inputs().size());
                for (int i = 0; i < in.size(); i++) {
                    if (in.get(i).list() || in.get(i).type() != sig.inputs().get(i)) {
                        throw new ProtocolException(c.line(), c.text(), c.op() + " argument " + (i + 1) + " ('"
                                + c.args().get(i) + "') must be " + sig.inputs().get(i) + ", it is " + describe(in.get(i)));
                    }
                }
                yield new Held(sig.output(), false, c.line());
            }
        };
        define(node, c.output(), out, false);
    }

    private void send(Step.Send s) {
        if (s.from().isUe() == s.to().isUe()) {
            throw new ProtocolException(s.line(), s.text(), s.from().isUe()
                    ? "a send must cross the air: UE to UE is not a link"
                    : "ES-to-ES links are not modelled: send through the UE");
        }
        List<String> senders = nodes(s.from(), s);
        List<String> receivers = nodes(s.to(), s);
        if (s.scatter()) {
            if (!s.from().isUe() || s.to().kind() != Node.Kind.EACH_ES) {
                throw new ProtocolException(s.line(), s.text(), "scatter (value[*]) goes from the UE to ES*");
            }
            Held h = use("UE", s.value(), s);
            if (!h.list()) {
                throw new ProtocolException(s.line(), s.text(), "scatter needs a list, '" + s.value() + "' is "
                        + describe(h));
            }
            for (String r : receivers) {
                define(r, s.value(), new Held(h.type(), false, s.line()), false);
            }
            return;
        }
        if (s.from().isUe()) {
            Held h = use("UE", s.value(), s);
            for (String r : receivers) {
                define(r, s.value(), new Held(h.type(), h.list(), s.line()), false);
            }
        } else {
            Held first = null;
            for (String snd : senders) {
                first = use(snd, s.value(), s);
            }
            boolean gather = s.from().kind() == Node.Kind.EACH_ES;
            if (gather && first.list()) {
                throw new ProtocolException(s.line(), s.text(), "cannot gather lists from every ES");
            }
            define("UE", s.value(), new Held(first.type(), gather || first.list(), s.line()), false);
        }
    }

    private Held use(String node, String name, Step step) {
        Map<String, Held> h = holdings.get(node);
        Held held = h == null ? null : h.get(name);
        if (held == null) {
            throw new ProtocolException(step.line(), step.text(), "value '" + name + "' is not on " + node);
        }
        used.put(key(node, name), true);
        return held;
    }

    private void define(String node, String name, Held held, boolean initial) {
        Map<String, Held> h = holdings.computeIfAbsent(node, k -> new LinkedHashMap<>());
        if (h.containsKey(name) && !initial) {
            throw new ProtocolException(held.definedAt(), "", "value '" + name + "' is already defined on " + node
                    + " (line " + h.get(name).definedAt() + "); give the new one another name");
        }
        h.put(name, held);
        used.putIfAbsent(key(node, name), initial);
    }

    private static void arity(Step.Compute c, List<Held> in, int n) {
        if (in.size() != n) {
            throw new ProtocolException(c.line(), c.text(), c.op() + " takes " + n + " argument(s), got " + in.size());
        }
    }

    private static String key(String node, String name) {
        return node + "/" + name;
    }

    private static String describe(Held h) {
        return h.list() ? "a list of " + h.type() : h.type().toString();
    }
}
