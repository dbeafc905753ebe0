package org.meg.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meg.cli.Meg;

/**
 * Keeps the README honest: every {@code bin/meg} line in its {@code sh} blocks runs and exits 0
 * (outputs under {@code runs/} go to a temporary folder), the overhead table it shows is what
 * {@code meg overhead} prints, the test command is what {@code .ci/run} calls, and its Java example
 * is the code {@link ReadmeExampleTest} runs.
 */
class ReadmeTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @TempDir
    Path tmp;

    private static String readme() throws Exception {
        return Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    }

    /** Code blocks fenced with the given info string, as lists of lines. */
    static List<List<String>> blocks(String text, String lang) {
        List<List<String>> out = new ArrayList<>();
        List<String> cur = null;
        for (String line : text.split("\n", -1)) {
            if (cur == null && line.equals("```" + lang)) {
                cur = new ArrayList<>();
            } else if (cur != null && line.equals("```")) {
                out.add(cur);
                cur = null;
            } else if (cur != null) {
                cur.add(line);
            }
        }
        return out;
    }

    /** Splits a command line as a POSIX shell would for plain words and double-quoted strings. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    out.add(w.toString());
                }
                w.setLength(0);
                any = false;
            } else {
                w.append(c);
                any = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unbalanced quote in: " + line);
        }
        if (any) {
            out.add(w.toString());
        }
        return out;
    }

    private String meg(List<String> args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = Meg.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code, "README command: meg " + String.join(" ", args));
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyMegCommandInTheReadmeRuns() throws Exception {
        int ran = 0;
        for (List<String> block : blocks(readme(), "sh")) {
            for (String line : block) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> w = words(line.replaceAll("\\s+#.*$", ""));
                assertEquals("bin/meg", w.get(0), "sh blocks hold meg commands only: " + line);
                List<String> args = new ArrayList<>();
                for (String a : w.subList(1, w.size())) {
                    args.add(a.startsWith("runs/") ? tmp.resolve(a).toString() : a);
                }
                meg(args);
                ran++;
            }
        }
        assertTrue(ran >= 3, "the README shows meg commands: " + ran);
        assertTrue(Files.isRegularFile(tmp.resolve("runs/ciag/report.json")), "the worked example wrote its report");
    }

    @Test
    void theOverheadTableIsWhatMegPrints() throws Exception {
        String printed = meg(List.of("overhead", "--width", "240", "--height", "240", "--bits", "8")).strip();
        boolean found = false;
        for (List<String> block : blocks(readme(), "text")) {
            if (!block.isEmpty() && block.get(0).startsWith("protocol    uplink")) {
                assertEquals(printed, String.join("\n", block).strip());
                found = true;
            }
        }
        assertTrue(found, "README shows the overhead table");
    }

    @Test
    void theTestCommandIsWhatCiRuns() throws Exception {
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        String bash = String.join("\n", blocks(readme(), "bash").get(0));
        assertTrue(bash.startsWith("./mvnw-test"), bash);
        assertTrue(ci.lines().anyMatch(l -> l.strip().equals("./mvnw-test")), ".ci/run calls ./mvnw-test");
    }

    @Test
    void theJavaExampleIsTheCodeThatRuns() throws Exception {
        List<List<String>> java = blocks(readme(), "java");
        assertEquals(1, java.size());
        String test = Files.readString(ROOT.resolve("src/test/java/org/meg/docs/ReadmeExampleTest.java"));
        String region = test.substring(test.indexOf("// README:begin\n") + "// README:begin\n".length(),
                test.indexOf("        // README:end"));
        List<String> expected = region.lines().map(l -> l.startsWith("        ") ? l.substring(8) : l).toList();
        assertEquals(expected, java.get(0));
        assertFalse(expected.isEmpty());
    }
}
