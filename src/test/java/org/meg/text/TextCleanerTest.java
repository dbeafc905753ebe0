package org.meg.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The ftfy subset and the whitespace/lowercase steps, one fixer at a time. Expected values follow
 * ftfy 6.x behaviour as documented in its {@code fixes.py} docstrings and Python's
 * {@code html.unescape} rules.
 */
class TextCleanerTest {

    @Test
    void htmlEntities() {
        assertEquals("salt & pepper", TextCleaner.fixText("salt &amp; pepper"));
        assertEquals("it's \"x\" <b>", TextCleaner.fixText("it&#39;s &quot;x&quot; &lt;b&gt;"));
        assertEquals("it's", TextCleaner.fixText("it&#x27;s"));
        assertEquals("&", TextCleaner.fixText("&AMP;"));
        assertEquals("\u2026", TextCleaner.fixText("&hellip;"));
        assertEquals("&", TextCleaner.fixText("&amp;amp;"), "repeated until nothing changes");
        assertEquals("\u20ac \ufffd \ufffd", TextCleaner.fixText("&#128; &#0; &#x110000;"));
        assertEquals("&#59; &bogus; &#12ab; &#x;", TextCleaner.fixText("&#59; &bogus; &#12ab; &#x;"));
    }

    @Test
    void htmlEntitiesAreLeftAloneOnLinesWithTags() {
        assertEquals("a < b &amp; c\nd & e", TextCleaner.fixText("a < b &amp; c\nd &amp; e"));
    }

    @Test
    void quotesWidthAndLigatures() {
        assertEquals("don't \"x\" 'y'", TextCleaner.fixText("don\u2019t \u201cx\u201d \u2018y\u02bc"));
        assertEquals("Fullwidth 123!",
                TextCleaner.fixText("\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 \uff11\uff12\uff13\uff01"));
        assertEquals("a b", TextCleaner.fixText("a\u3000b"), "ideographic space");
        assertEquals("\u30ab", TextCleaner.fixText("\uff76"), "halfwidth katakana");
        assertEquals("fine flow IJ", TextCleaner.fixText("\ufb01ne \ufb02ow \u0132"));
    }

    @Test
    void nfcButNotNfkc() {
        assertEquals("\u00e9", TextCleaner.fixText("e\u0301"));
        assertEquals("\u00bd \u00b2 \u2122 \u2026", TextCleaner.fixText("\u00bd \u00b2 \u2122 \u2026"));
    }

    @Test
    void controlsEscapesAndSurrogates() {
        assertEquals("ab", TextCleaner.fixText("a\u0007\ufeffb"));
        assertEquals("red", TextCleaner.fixText("\u001b[31mred\u001b[0m"));
        assertEquals("\"hi\"", TextCleaner.fixText("\u0093hi\u0094"), "C1 controls read as Windows-1252");
        assertEquals("a\ufffdb", TextCleaner.fixText("a\ud800b"));
        assertEquals("\ud83d\udc31", TextCleaner.fixText("\ud83d\udc31"));
    }

    @Test
    void whitespaceStripAndLowercase() {
        assertEquals("a b c", TextCleaner.clean("\u00a0A\u2003b\t\n C  "));
        assertEquals("\u00e5ngstr\u00f6m", TextCleaner.clean("\u00c5NGSTR\u00d6M"));
        assertEquals("", TextCleaner.clean(" \t\n "));
    }

    @Test
    void lowercaseFollowsPython() {
        // Python 3.11 str.lower(); Java's toLowerCase differs on the last two
        assertEquals("i\u0307stanbul", TextCleaner.clean("\u0130STANBUL"));
        assertEquals("\u03bf\u03b4\u03bf\u03c2 \u03c3", TextCleaner.clean("\u039f\u0394\u039f\u03a3 \u03a3"));
        assertEquals("\u03b7\u03b5\u03c28", TextCleaner.clean("\u0397\u0395\u03a38"));
        assertEquals("\uac16\u03c3", TextCleaner.clean("\uac16\u03a3"));
    }
}
