package org.meg.text;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompt clean-up before CLIP BPE: a subset of {@code ftfy.fix_text}, then whitespace collapse,
 * strip and Python-style lowercase ({@link PythonLowercase}), as transformers'
 * {@code CLIPTokenizer._tokenize} does (v4.x: {@code whitespace_clean(ftfy.fix_text(text)).lower()}).
 *
 * <p>Ported from ftfy 6.x ({@code ftfy/__init__.py fix_and_explain}, {@code ftfy/chardata.py}), in
 * ftfy's order and repeated until nothing changes, line by line: HTML entities (skipped on a line
 * containing {@code <}, ftfy's {@code unescape_html="auto"}), C1 controls read as Windows-1252,
 * Latin ligatures, halfwidth/fullwidth forms, curly quotes, lone surrogates, terminal escapes,
 * control characters, NFC. Deliberately NFC and not NFKC: ftfy leaves {@code ½ ² ™ …} alone.
 * (openai's simple_tokenizer also runs {@code html.unescape} twice after ftfy, so it would decode
 * entities on a line with {@code <} too; SD 1.x pipelines use the transformers behaviour.)
 *
 * <p>Not ported: ftfy's mojibake repair ({@code fix_encoding}: e.g. {@code "cafÃ©"} stays as it
 * is) and named HTML entities outside the common ones in {@link #NAMED_ENTITIES}.
 */
final class TextCleaner {

    /** Python {@code str.isspace()} characters, i.e. what {@code re.sub(r"\s+", " ", text)} collapses. */
    private static final Pattern WHITESPACE = Pattern.compile(
            "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+");
    /** ftfy {@code HTML_ENTITY_RE}. */
    private static final Pattern ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    /** ftfy {@code remove_terminal_escapes}: ANSI CSI sequences. */
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");
    /** Windows-1252 for bytes 0x80..0x9F; '\0' where the code page leaves the byte undefined. */
    private static final String CP1252_C1 =
            "\u20ac\0\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\0\u017d\0"
            + "\0\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\0\u017e\u0178";
    /** ftfy 6.x {@code chardata.LIGATURES}: Latin ligatures and legacy digraphs, split up. */
    private static final Map<Character, String> LIGATURES = Map.ofEntries(
            Map.entry('\u0132', "IJ"), Map.entry('\u0133', "ij"), Map.entry('\u0149', "\u02bcn"),
            Map.entry('\u01f1', "DZ"), Map.entry('\u01f2', "Dz"), Map.entry('\u01f3', "dz"),
            Map.entry('\u01c4', "D\u017d"), Map.entry('\u01c5', "D\u017e"), Map.entry('\u01c6', "d\u017e"),
            Map.entry('\u01c7', "LJ"), Map.entry('\u01c8', "Lj"), Map.entry('\u01c9', "lj"),
            Map.entry('\u01ca', "NJ"), Map.entry('\u01cb', "Nj"), Map.entry('\u01cc', "nj"),
            Map.entry('\ufb00', "ff"), Map.entry('\ufb01', "fi"), Map.entry('\ufb02', "fl"),
            Map.entry('\ufb03', "ffi"), Map.entry('\ufb04', "ffl"), Map.entry('\ufb05', "\u017ft"),
            Map.entry('\ufb06', "st"));
    /** Common named HTML entities (name without '&' and ';'); ftfy knows all of HTML5. */
    private static final Map<String, String> NAMED_ENTITIES = namedEntities();

    private TextCleaner() {
    }

    /** Full clean-up: ftfy subset, whitespace runs to one space, strip, lowercase. */
    static String clean(String text) {
        String fixed = WHITESPACE.matcher(fixText(text)).replaceAll(" ");
        int start = 0;
        int end = fixed.length();
        while (start < end && fixed.charAt(start) == ' ') {
            start++;
        }
        while (end > start && fixed.charAt(end - 1) == ' ') {
            end--;
        }
        return PythonLowercase.lower(fixed.substring(start, end));
    }

    /** The ftfy subset alone, applied to each line (with its '\n') separately, as ftfy does. */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int position = 0;
        while (position < text.length()) {
            int lineEnd = text.indexOf('\n', position) + 1;
            if (lineEnd == 0) {
                lineEnd = text.length();
            }
            out.append(fixSegment(text.substring(position, lineEnd)));
            position = lineEnd;
        }
        return out.toString();
    }

    private static String fixSegment(String segment) {
        boolean unescape = segment.indexOf('<') < 0;
        String text = segment;
        while (true) {
            String before = text;
            if (unescape) {
                text = unescapeHtml(text);
            }
            // before mapChars, which drops the ESC that starts a terminal escape
            text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
            text = mapChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(before)) {
                return text;
            }
        }
    }

    /** C1 controls, ligatures, width, quotes, lone surrogates and control characters, per char. */
    private static String mapChars(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                if (paired) {
                    out.append(c).append(text.charAt(++i)); // astral code points pass unchanged
                } else {
                    out.append('\ufffd'); // ftfy fix_surrogates
                }
                continue;
            }
            if (c >= 0x80 && c <= 0x9F) { // ftfy fix_c1_controls (sloppy: undefined bytes stay)
                char mapped = CP1252_C1.charAt(c - 0x80);
                c = mapped == '\0' ? c : mapped;
            }
            String ligature = LIGATURES.get(c);
            if (ligature != null) {
                out.append(ligature);
            } else if (c == '\u3000') { // ftfy fix_character_width: ideographic space
                out.append(' ');
            } else if (c >= '\uff01' && c <= '\uffef') { // halfwidth and fullwidth forms
                out.append(Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC));
            } else if (c == '\u02bc' || (c >= '\u2018' && c <= '\u201b')) { // ftfy uncurl_quotes
                out.append('\'');
            } else if (c >= '\u201c' && c <= '\u201f') {
                out.append('"');
            } else if (!isRemovedControl(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** ftfy 6.x {@code chardata.CONTROL_CHARS}. */
    private static boolean isRemovedControl(char c) {
        return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
                || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
    }

    /** ftfy {@code fixes.unescape_html}: named entities, then numeric ones via Python's rules. */
    private static String unescapeHtml(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = ENTITY.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String entity = m.group();
            String name = entity.substring(1, entity.length() - 1);
            String value = NAMED_ENTITIES.get(name);
            if (value == null && name.startsWith("#")) {
                value = numericEntity(name.substring(1));
                // ftfy: "If html.unescape only decoded part of the string, that's not what we want."
                if (value != null && value.indexOf(';') >= 0) {
                    value = null;
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? entity : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Python {@code html._replace_charref} for "#123" / "#x7B" bodies (after the '#'), or null if
     * the body is not a number. Invalid references follow the HTML5 rules Python implements.
     */
    private static String numericEntity(String body) {
        boolean hex = !body.isEmpty() && (body.charAt(0) == 'x' || body.charAt(0) == 'X');
        String digits = hex ? body.substring(1) : body;
        if (digits.isEmpty() || !digits.chars().allMatch(ch -> Character.digit(ch, hex ? 16 : 10) >= 0
                && ch < 0x80)) {
            return null;
        }
        String significant = digits.replaceFirst("^0+(?=.)", "");
        if (significant.length() > 8) {
            return "\ufffd";
        }
        long cp = Long.parseLong(significant, hex ? 16 : 10);
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return "\ufffd";
        }
        if (cp == 0x0D) {
            return "\r";
        }
        if (cp >= 0x80 && cp <= 0x9F && CP1252_C1.charAt((int) cp - 0x80) != '\0') {
            return String.valueOf(CP1252_C1.charAt((int) cp - 0x80));
        }
        boolean invalid = (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F)
                || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE;
        return invalid ? "" : new String(Character.toChars((int) cp));
    }

    private static Map<String, String> namedEntities() {
        String[][] table = {
            {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"},
            {"nbsp", "\u00a0"}, {"copy", "\u00a9"}, {"reg", "\u00ae"}, {"trade", "\u2122"},
            {"hellip", "\u2026"}, {"mdash", "\u2014"}, {"ndash", "\u2013"}, {"lsquo", "\u2018"},
            {"rsquo", "\u2019"}, {"ldquo", "\u201c"}, {"rdquo", "\u201d"}, {"laquo", "\u00ab"},
            {"raquo", "\u00bb"}, {"deg", "\u00b0"}, {"times", "\u00d7"}, {"divide", "\u00f7"},
            {"middot", "\u00b7"}, {"bull", "\u2022"}, {"euro", "\u20ac"}, {"pound", "\u00a3"},
            {"yen", "\u00a5"}, {"cent", "\u00a2"}, {"sect", "\u00a7"}, {"para", "\u00b6"},
            {"shy", "\u00ad"}, {"plusmn", "\u00b1"}, {"frac12", "\u00bd"}, {"frac14", "\u00bc"},
            {"frac34", "\u00be"}, {"iexcl", "\u00a1"}, {"iquest", "\u00bf"},
        };
        Map<String, String> map = new HashMap<>();
        for (String[] entry : table) {
            map.put(entry[0], entry[1]);
            // ftfy also decodes all-caps spellings of lowercase names (&AMP;, &HELLIP;) to the
            // uppercased character.
            map.put(entry[0].toUpperCase(Locale.ROOT), entry[1].toUpperCase(Locale.ROOT));
        }
        return Map.copyOf(map);
    }
}
