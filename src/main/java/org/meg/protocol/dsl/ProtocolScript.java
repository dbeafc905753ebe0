package org.meg.protocol.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed protocol: a name, a one-line description and its steps. Grammar, one step a line
 * ({@code #} starts a comment):
 * <pre>
 * protocol NAME "description"
 * NODE: out = op(arg, ...)          run a stage on a node
 * FROM -&gt; TO: value                 send (uplink UE -&gt; ES, downlink ES -&gt; UE)
 * UE -&gt; ES*: parts[*]              scatter: element i of a list to ES i
 * </pre>
 * NODE is {@code UE}, {@code ES} (= ES1), {@code ESi} or {@code ES*} (each ES in parallel).
 * The UE starts with {@code image} and {@code prompt}; the result is {@code output} on the UE.
 */
public final class ProtocolScript {
    private static final Pattern HEADER = Pattern.compile("protocol\\s+([A-Za-z][A-Za-z0-9_-]*)(?:\\s+\"([^\"]*)\")?");
    private static final Pattern COMPUTE = Pattern.compile(
            "(\\S+)\\s*:\\s*([a-z][A-Za-z0-9_]*)\\s*=\\s*([a-z][A-Za-z0-9_]*)\\s*\\(([^)]*)\\)");
    private static final Pattern SEND = Pattern.compile(
            "(\\S+)\\s*->\\s*(\\S+)\\s*:\\s*([a-z][A-Za-z0-9_]*)(\\[\\*])?");
    private static final Pattern NAME = Pattern.compile("[a-z][A-Za-z0-9_]*");

    private final String name;
    private final String description;
    private final List<Step> steps;
    private final String source;

    private ProtocolScript(String name, String description, List<Step> steps, String source) {
        this.name = name;
        this.description = description;
        this.steps = List.copyOf(steps);
        this.source = source;
    }

    /** Parses a script; a malformed line is a {@link ProtocolException} naming it. */
    public static ProtocolScript parse(String source) {
        String name = null;
        String description = "";
        List<Step> steps = new ArrayList<>();
        String[] lines = source.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            int ln = i + 1;
            String raw = lines[i];
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (name == null) {
                Matcher h = HEADER.matcher(line);
                if (!h.matches()) {
                    throw new ProtocolException(ln, line, "a script must start with: protocol NAME \"description\"");
                }
                name = h.group(1);
                description = h.group(2) == null ? "" : h.group(2);
                continue;
            }
            steps.add(parseStep(ln, line));
        }
        if (name == null) {
            throw new ProtocolException(0, "", "empty script: no 'protocol NAME' line");
        }
        if (steps.isEmpty()) {
            throw new ProtocolException(0, "", "protocol " + name + " has no steps");
        }
        return new ProtocolScript(name, description, steps, source);
    }

    private static Step parseStep(int ln, String line) {
        Matcher s = SEND.matcher(line);
        if (s.matches()) {
            Node from = node(ln, line, s.group(1));
            Node to = node(ln, line, s.group(2));
            return new Step.Send(ln, line, s.group(3), from, to, s.group(4) != null);
        }
        Matcher c = COMPUTE.matcher(line);
        if (c.matches()) {
            Node node = node(ln, line, c.group(1));
            List<String> args = new ArrayList<>();
            String inside = c.group(4).strip();
            if (!inside.isEmpty()) {
                for (String a : inside.split(",")) {
                    String arg = a.strip();
                    if (!NAME.matcher(arg).matches()) {
                        throw new ProtocolException(ln, line, "bad argument name '" + arg + "'");
                    }
                    args.add(arg);
                }
            }
            return new Step.Compute(ln, line, node, c.group(2), c.group(3), args);
        }
        throw new ProtocolException(ln, line,
                "expected 'NODE: out = op(args)' or 'FROM -> TO: value'");
    }

    private static Node node(int ln, String line, String s) {
        Node n = Node.parse(s);
        if (n == null) {
            throw new ProtocolException(ln, line, "unknown node '" + s + "' (use UE, ES, ES1.., or ES*)");
        }
        return n;
    }

    /** The protocol's name. */
    public String name() {
        return name;
    }

    /** Its one-line description. */
    public String description() {
        return description;
    }

    /** The steps in order. */
    public List<Step> steps() {
        return steps;
    }

    /** The script text it was parsed from. */
    public String source() {
        return source;
    }

    /** Whether any step names an ES by index above 1 or uses ES*: a multi-ES protocol. */
    public boolean isMultiEs() {
        for (Step st : steps) {
            if (st instanceof Step.Compute c && c.node().kind() == Node.Kind.EACH_ES) {
                return true;
            }
            if (st instanceof Step.Send sd && (sd.to().kind() == Node.Kind.EACH_ES || sd.from().kind() == Node.Kind.EACH_ES)) {
                return true;
            }
        }
        return false;
    }
}
