package org.meg.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.meg.protocol.Protocols;
import org.meg.protocol.dsl.ProtocolScript;

/** Shared pieces of the commands. */
final class CliSupport {
    private CliSupport() {
    }

    /** Built-in names ("all", "single", "multi", "CIAG,ESUC") or paths to .meg scripts. */
    static List<ProtocolScript> protocols(String spec) {
        List<ProtocolScript> out = new ArrayList<>();
        if (spec.equalsIgnoreCase("all") || spec.equalsIgnoreCase("single") || spec.equalsIgnoreCase("multi")) {
            return Protocols.list(spec);
        }
        for (String part : spec.split(",")) {
            String p = part.strip();
            if (p.endsWith(".meg")) {
                try {
                    out.add(ProtocolScript.parse(Files.readString(Path.of(p))));
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read protocol script " + p + ": " + e.getMessage());
                }
            } else {
                out.add(Protocols.get(p));
            }
        }
        return out;
    }
}
