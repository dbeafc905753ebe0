package org.meg.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Invariants of the SD 1.x framing and of byte-level BPE, for arbitrary prompts. */
class ClipTokenizerPropertiesTest {

    private static final ClipTokenizer TOKENIZER = ClipTokenizer.loadDefault();

    @Property(tries = 300)
    void alwaysBosContentEosThenEosPadding(@ForAll String text) {
        int[] ids = TOKENIZER.encode(text);
        int content = Math.min(TOKENIZER.contentTokenCount(text), ClipTokenizer.MAX_CONTENT);
        assertEquals(ClipTokenizer.MAX_LENGTH, ids.length);
        assertEquals(ClipTokenizer.BOS, ids[0]);
        for (int i = 1; i <= content; i++) {
            assertTrue(ids[i] >= 0 && ids[i] < ClipTokenizer.VOCAB_SIZE, "id " + ids[i]);
        }
        for (int i = content + 1; i < ids.length; i++) {
            assertEquals(ClipTokenizer.EOS, ids[i], "position " + i);
        }
    }

    @Property(tries = 300)
    void bpeLosesNoBytes(@ForAll String text) {
        // The pieces cover every non-space character, and BPE only regroups bytes.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String token : TOKENIZER.bpeTokens(text)) {
            String symbols = token.endsWith(BytePairEncoder.END_OF_WORD)
                    ? token.substring(0, token.length() - BytePairEncoder.END_OF_WORD.length()) : token;
            bytes.writeBytes(ByteLevel.decode(symbols));
        }
        // (U+0345 is the one character CLIP's IGNORECASE split skips, see ClipTokenizer.UNMATCHED)
        String expected = TextCleaner.clean(text).replace(" ", "").replace("\u0345", "");
        assertEquals(expected, new String(bytes.toByteArray(), StandardCharsets.UTF_8));
    }

    @Property(tries = 300)
    void lowercaseWordsRoundTrip(
            @ForAll @Size(min = 1, max = 8)
            List<@StringLength(min = 1, max = 9) @CharRange(from = 'a', to = 'z') String> words) {
        // at most 8 words x 9 letters = 72 tokens, so nothing is truncated
        String prompt = String.join(" ", words);
        assertEquals(prompt, TOKENIZER.decode(TOKENIZER.encode(prompt)));
    }
}
