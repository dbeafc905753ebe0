package org.meg.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The CLIP byte-level BPE tokenizer as Stable Diffusion 1.x uses it: prompt -> 77 token ids.
 *
 * <p>Pipeline (openai/CLIP {@code clip/simple_tokenizer.py} at d05afc4, and transformers
 * {@code CLIPTokenizer} with ftfy, which SD 1.x uses):
 * <ol>
 *   <li>clean: ftfy subset, {@code \s+ -> ' '}, strip, lowercase ({@link TextCleaner});</li>
 *   <li>split with {@link #PIECES} (special tokens, contractions, letter runs, single digits,
 *       runs of other non-space characters);</li>
 *   <li>each piece: UTF-8 bytes -> byte-level characters ({@link ByteLevel}) -> BPE with
 *       {@code </w>} on the last symbol ({@link BytePairEncoder}) -> vocabulary ids;</li>
 *   <li>SD 1.x framing: BOS, at most 75 content ids, EOS, padded to 77 with EOS (not 0).</li>
 * </ol>
 * Instances are immutable apart from a thread-safe BPE cache.
 *
 * <p>Known limits: character classes ({@code \p{L}}, {@code \p{N}}, case) come from the JDK's
 * Unicode tables (Unicode 13 on Java 17), so characters assigned later split differently than in
 * a newer Python; ftfy's mojibake repair is not ported (see {@link TextCleaner}).
 */
public final class ClipTokenizer {

    /** Id of {@code <|startoftext|>}. */
    public static final int BOS = 49406;
    /** Id of {@code <|endoftext|>}, also the SD 1.x padding id. */
    public static final int EOS = 49407;
    /** Sequence length the CLIP text encoder takes: BOS + 75 content tokens + EOS. */
    public static final int MAX_LENGTH = 77;
    /** Number of content tokens that fit between BOS and EOS. */
    public static final int MAX_CONTENT = MAX_LENGTH - 2;
    /** Vocabulary size: 256 bytes + 256 bytes with </w> + 48894 merges + 2 special tokens. */
    public static final int VOCAB_SIZE = 49408;
    /** Where {@link #loadDefault()} looks, relative to the working directory or one of its parents. */
    public static final String DEFAULT_VOCAB = "weights/clip/bpe_simple_vocab_16e6.txt.gz";

    private static final String START_OF_TEXT = "<|startoftext|>";
    private static final String END_OF_TEXT = "<|endoftext|>";
    /** Merges actually used: {@code 49152 - 256 - 2} (simple_tokenizer.py: {@code merges[1:49152-256-2+1]}). */
    private static final int MERGE_COUNT = VOCAB_SIZE - 2 * 256 - 2;
    /**
     * openai/CLIP pre-tokenizer, compiled there with {@code regex.IGNORECASE}. The flag still matters
     * after lowercasing: {@code 'ſ} (long s) matches {@code 's}. Checked against Python's
     * {@code regex} on every code point Java 17 assigns, in several contexts.
     */
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    /**
     * U+0345 COMBINING GREEK YPOGEGRAMMENI case-folds to a letter, so under Python's IGNORECASE it
     * matches no alternative and is skipped; Java would keep it, so it is turned into a separator.
     */
    private static final char UNMATCHED = '\u0345';

    /** token string -> id. */
    private final Map<String, Integer> encoder;
    /** id -> token string. */
    private final String[] decoder;
    private final BytePairEncoder bpe;

    private ClipTokenizer(Map<String, Integer> encoder, String[] decoder, BytePairEncoder bpe) {
        this.encoder = encoder;
        this.decoder = decoder;
        this.bpe = bpe;
    }

    /** Loads the tokenizer from openai's gzipped merge list ({@code bpe_simple_vocab_16e6.txt.gz}). */
    public static ClipTokenizer load(Path bpeGz) {
        String[] lines;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(bpeGz))) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CLIP BPE vocabulary " + bpeGz, e);
        }
        if (lines.length < MERGE_COUNT + 1) {
            throw new IllegalArgumentException(bpeGz + ": expected a header and at least " + MERGE_COUNT
                    + " merge lines, found " + lines.length + " lines");
        }
        // Line 1 is a version header; lines 2..48895 are the merges in rank order.
        List<String[]> merges = new ArrayList<>(MERGE_COUNT);
        for (int i = 1; i <= MERGE_COUNT; i++) {
            String[] pair = lines[i].trim().split("\\s+");
            if (pair.length != 2) {
                throw new IllegalArgumentException(bpeGz + " line " + (i + 1) + ": expected two symbols, got '"
                        + lines[i] + "'");
            }
            merges.add(pair);
        }
        return of(merges);
    }

    /** Loads {@value #DEFAULT_VOCAB}, searching the working directory and then its parents. */
    public static ClipTokenizer loadDefault() {
        String home = System.getProperty(org.meg.io.ProjectFiles.HOME_PROPERTY);
        if (home != null && Files.isRegularFile(Paths.get(home).resolve(DEFAULT_VOCAB))) {
            return load(Paths.get(home).resolve(DEFAULT_VOCAB));
        }
        return loadDefault(Paths.get("").toAbsolutePath());
    }

    /** {@link #loadDefault()} starting the search at {@code start}. */
    static ClipTokenizer loadDefault(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(DEFAULT_VOCAB);
            if (Files.isRegularFile(candidate)) {
                return load(candidate);
            }
        }
        throw new IllegalStateException("CLIP BPE vocabulary not found: no " + DEFAULT_VOCAB + " in "
                + start + " or any parent directory");
    }

    /** Builds the vocabulary from merge pairs in rank order, the way simple_tokenizer.py does. */
    private static ClipTokenizer of(List<String[]> merges) {
        // ids: 256 byte symbols, the same with </w>, one per merge (its concatenation), 2 specials
        List<String> vocab = new ArrayList<>(VOCAB_SIZE);
        String[] bytes = ByteLevel.symbolsInVocabOrder();
        vocab.addAll(Arrays.asList(bytes));
        for (String symbol : bytes) {
            vocab.add(symbol + BytePairEncoder.END_OF_WORD);
        }
        for (String[] pair : merges) {
            vocab.add(pair[0] + pair[1]);
        }
        vocab.add(START_OF_TEXT);
        vocab.add(END_OF_TEXT);

        Map<String, Integer> encoder = new HashMap<>(VOCAB_SIZE * 2);
        for (int id = 0; id < vocab.size(); id++) {
            if (encoder.put(vocab.get(id), id) != null) {
                throw new IllegalArgumentException("duplicate vocabulary entry '" + vocab.get(id) + "' at id " + id);
            }
        }
        if (encoder.get(START_OF_TEXT) != BOS || encoder.get(END_OF_TEXT) != EOS) {
            throw new IllegalStateException("special token ids differ from " + BOS + "/" + EOS);
        }
        return new ClipTokenizer(encoder, vocab.toArray(new String[0]), BytePairEncoder.of(merges));
    }

    /** The 77 SD 1.x input ids: BOS, the first 75 content ids, EOS, then EOS padding. */
    public int[] encode(String text) {
        int[] content = contentIds(text);
        int[] ids = new int[MAX_LENGTH];
        Arrays.fill(ids, EOS);
        ids[0] = BOS;
        System.arraycopy(content, 0, ids, 1, Math.min(content.length, MAX_CONTENT));
        return ids;
    }

    /** Byte-level BPE strings of the whole prompt, before truncation; word ends carry {@code </w>}. */
    public List<String> bpeTokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = PIECES.matcher(TextCleaner.clean(text).replace(UNMATCHED, ' '));
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(START_OF_TEXT) || piece.equals(END_OF_TEXT)) {
                tokens.add(piece); // simple_tokenizer.py seeds its BPE cache with these two
            } else {
                tokens.addAll(bpe.encode(ByteLevel.encode(piece.getBytes(StandardCharsets.UTF_8))));
            }
        }
        return tokens;
    }

    /** Number of content tokens of the prompt before truncation (more than 75 means truncated). */
    public int contentTokenCount(String text) {
        return bpeTokens(text).size();
    }

    /** Text of the ids: special tokens dropped, {@code </w>} read as a space, stripped. */
    public String decode(int[] ids) {
        StringBuilder joined = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= decoder.length) {
                throw new IllegalArgumentException("token id " + id + " outside [0, " + decoder.length + ")");
            }
            if (id != BOS && id != EOS) {
                joined.append(decoder[id]);
            }
        }
        // transformers CLIPTokenizer.convert_tokens_to_string: bytes -> UTF-8 (errors="replace")
        String text = new String(ByteLevel.decode(joined), StandardCharsets.UTF_8);
        return text.replace(BytePairEncoder.END_OF_WORD, " ").strip();
    }

    /** Number of ids, {@value #VOCAB_SIZE}. */
    public int vocabSize() {
        return decoder.length;
    }

    private int[] contentIds(String text) {
        List<String> tokens = bpeTokens(text);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = encoder.get(tokens.get(i));
            if (id == null) { // cannot happen: every BPE output is a byte symbol or a merge result
                throw new IllegalStateException("BPE produced a token outside the vocabulary: " + tokens.get(i));
            }
            ids[i] = id;
        }
        return ids;
    }
}
