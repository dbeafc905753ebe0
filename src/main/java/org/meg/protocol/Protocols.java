package org.meg.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.meg.protocol.dsl.ProtocolScript;

/** The paper's eleven protocols, each a script under {@code src/main/resources/protocols/}. */
public final class Protocols {
    /** Names in the paper's order: single-ES (Fig. 2), then multi-ES (Fig. 3). */
    public static final List<String> NAMES = List.of(
            "full-UE", "full-ES", "UIEG", "EIUG", "CIAG", "ESUC", "UIDG", "DIUG", "DSUC", "UIDCG", "DCSUC");

    private static final Map<String, ProtocolScript> BUILTIN = load();

    private Protocols() {
    }

    private static Map<String, ProtocolScript> load() {
        Map<String, ProtocolScript> m = new LinkedHashMap<>();
        for (String name : NAMES) {
            String file = "/protocols/" + name.toLowerCase(Locale.ROOT) + ".meg";
            try (InputStream in = Protocols.class.getResourceAsStream(file)) {
                if (in == null) {
                    throw new IllegalStateException("built-in protocol script missing: " + file);
                }
                ProtocolScript s = ProtocolScript.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                if (!s.name().equals(name)) {
                    throw new IllegalStateException(file + " declares protocol " + s.name() + ", expected " + name);
                }
                m.put(name.toLowerCase(Locale.ROOT), s);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
        }
        return m;
    }

    /** A built-in protocol by name, case-insensitive; an unknown name is an error listing the known ones. */
    public static ProtocolScript get(String name) {
        ProtocolScript s = name == null ? null : BUILTIN.get(name.toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown protocol '" + name + "'; known: " + String.join(", ", NAMES));
        }
        return s;
    }

    /** Parses a list such as {@code "all"}, {@code "single"}, {@code "multi"} or {@code "CIAG,ESUC"}. */
    public static List<ProtocolScript> list(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        List<String> names = switch (s) {
            case "all" -> NAMES;
            case "single" -> NAMES.subList(0, 6);
            case "multi" -> NAMES.subList(6, 11);
            default -> List.of(spec.split(","));
        };
        return names.stream().map(String::strip).map(Protocols::get).toList();
    }
}
