package org.meg.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The request every protocol command serves: a prompt, an input image and an output folder. */
final class RequestArgs {
    @Option(names = "--prompt", required = true, description = "text prompt")
    String prompt;
    @Option(names = "--image", required = true, description = "input image (PNG), sides multiples of 8")
    Path image;
    @Option(names = "--out", required = true, description = "output folder")
    Path out;
}
