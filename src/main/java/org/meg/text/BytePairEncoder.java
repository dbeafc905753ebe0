package org.meg.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair merging of one pre-tokenized word, with CLIP's end-of-word marker.
 *
 * <p>Reproduces {@code SimpleTokenizer.bpe} in openai/CLIP {@code clip/simple_tokenizer.py}
 * (commit d05afc4): the word's characters are the initial symbols, {@code </w>} is glued to the
 * last one, then the adjacent pair with the lowest merge rank is merged everywhere (left to right,
 * non-overlapping) until no adjacent pair has a rank.
 */
final class BytePairEncoder {

    /** End-of-word marker appended to the last symbol of every word. */
    static final String END_OF_WORD = "</w>";
    /** Above this many cached words the cache is cleared (bounds memory on unbounded input). */
    private static final int CACHE_LIMIT = 200_000;

    /** "first second" -> rank (line index among the merges; lower merges first). */
    private final Map<String, Integer> ranks;
    /** word -> its BPE symbols; shared by all threads. */
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    private BytePairEncoder(Map<String, Integer> ranks) {
        this.ranks = ranks;
    }

    /** Builds an encoder from merge pairs in rank order ({@code merges[i] = {first, second}}). */
    static BytePairEncoder of(List<String[]> merges) {
        Map<String, Integer> ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            String[] pair = merges.get(i);
            // Symbols never contain ' ' (byte 0x20 is shown as 'Ġ'), so a space is a safe separator.
            ranks.put(pair[0] + ' ' + pair[1], i);
        }
        return new BytePairEncoder(ranks);
    }

    /** BPE symbols of one non-empty word of byte-level characters; the last one ends with </w>. */
    List<String> encode(String word) {
        if (word.isEmpty()) {
            throw new IllegalArgumentException("empty word");
        }
        List<String> cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> symbols = List.copyOf(merge(word));
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(word, symbols);
        return symbols;
    }

    private List<String> merge(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + END_OF_WORD);

        while (symbols.size() > 1) {
            // 1. the adjacent pair with the lowest rank
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = ranks.get(symbols.get(i) + ' ' + symbols.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            // 2. merge every occurrence of (first, second), scanning left to right
            List<String> merged = new ArrayList<>(symbols.size());
            int i = 0;
            while (i < symbols.size()) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(first)
                        && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(symbols.get(i));
                    i += 1;
                }
            }
            symbols = merged;
        }
        return symbols;
    }
}
