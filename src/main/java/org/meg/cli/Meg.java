package org.meg.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code meg} command: protocols, sweeps, and the diffusion engine from the shell. */
@Command(name = "meg", mixinStandardHelpOptions = true, version = "meg 0.1.0",
        description = "Mobile edge generation: Stable Diffusion split between a UE and edge servers over simulated channels.",
        subcommands = {RunCommand.class, CompareCommand.class, SweepCommand.class, OverheadCommand.class,
                Img2ImgCommand.class, Txt2ImgCommand.class, TokenizeCommand.class, ModelsCommand.class, OnnxCommand.class,
                CommandLine.HelpCommand.class})
public final class Meg implements Runnable {
    /** Exit code for bad usage or bad input. */
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs {@code meg} with these arguments and returns the exit code (0 success, 2 bad usage). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Meg());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                    || ex instanceof org.meg.io.SafeTensorsException || ex instanceof org.meg.protocol.dsl.ProtocolException) {
                cmd.getErr().println("meg: " + ex.getMessage());
                return USAGE;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
