package org.meg.text;

/**
 * Python's {@code str.lower()}, which the CLIP tokenizers apply to every prompt.
 *
 * <p>{@link String#toLowerCase} agrees except for capital sigma: Java decides "final sigma" with a
 * word break iterator, Python with the Unicode Final_Sigma context
 * {@code \p{cased}\p{case-ignorable}* U+03A3 !(\p{case-ignorable}* \p{cased})}
 * (CPython {@code Objects/unicodeobject.c handle_capital_sigma}). So "ΗΕΣ8" must give "ηες8", and a
 * sigma after a Hangul syllable (a letter, but not cased) must give "σ".
 */
final class PythonLowercase {

    private static final int CAPITAL_SIGMA = 0x03A3;

    private PythonLowercase() {
    }

    /** Lowercases like Python: simple mappings, U+0130 to "i̇", sigma by Final_Sigma. */
    static String lower(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (cp == CAPITAL_SIGMA) {
                out.append(isFinalSigma(text, i) ? '\u03c2' : '\u03c3');
            } else if (cp == 0x0130) { // the one unconditional multi-character lowercase (SpecialCasing.txt)
                out.append("i\u0307");
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static boolean isFinalSigma(String text, int sigma) {
        int j = sigma;
        int before = -1;
        while (j > 0) {
            int cp = text.codePointBefore(j);
            j -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                before = cp;
                break;
            }
        }
        if (before < 0 || !isCased(before)) {
            return false;
        }
        for (j = sigma + 1; j < text.length(); ) {
            int cp = text.codePointAt(j);
            if (!isCaseIgnorable(cp)) {
                return !isCased(cp);
            }
            j += Character.charCount(cp);
        }
        return true;
    }

    /** Derived property Cased: Lowercase, Uppercase or titlecase letter (Java includes Other_*). */
    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Derived property Case_Ignorable: Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter/MidNumLet/Single_Quote. */
    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.FORMAT:
            case Character.MODIFIER_LETTER:
            case Character.MODIFIER_SYMBOL:
                return true;
            default:
                break;
        }
        switch (cp) {
            case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4:
            case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55:
            case 0xFF07: case 0xFF0E: case 0xFF1A:
                return true;
            default:
                return false;
        }
    }
}
