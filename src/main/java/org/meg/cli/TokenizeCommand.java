package org.meg.cli;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.meg.text.ClipTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code meg tokenize TEXT}: the 77 SD 1.x token ids as a JSON array. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the 77 CLIP token ids SD 1.x feeds its text encoder, as a JSON array.")
final class TokenizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TEXT", description = "the prompt")
    String text;

    @Override
    public Integer call() {
        int[] ids = ClipTokenizer.loadDefault().encode(text);
        System.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]")));
        return 0;
    }
}
