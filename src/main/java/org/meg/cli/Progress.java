package org.meg.cli;

import java.io.PrintStream;
import org.meg.sampling.StepListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A one-line progress bar with ETA on stderr, drawn only on an interactive terminal (not in
 * pipes, files or CI, where it stays silent).
 */
final class Progress implements StepListener {
    private final PrintStream out;
    private final boolean enabled;
    private String label;
    private long start;

    private Progress(String label, boolean enabled) {
        this.out = System.err;
        this.enabled = enabled;
        this.label = label;
    }

    /** A bar that draws only when stdout is a terminal and CI is not set. */
    static Progress terminal(String label) {
        return new Progress(label, System.console() != null && System.getenv("CI") == null);
    }

    /** Changes the label (e.g. to the protocol step being run). */
    Progress label(String l) {
        this.label = l;
        this.start = 0;
        return this;
    }

    /** Draws k of n done. */
    void show(int done, int total) {
        if (!enabled || total <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (start == 0 || done == 0) {
            start = now;
        }
        int width = 30;
        int filled = (int) Math.round((double) done / total * width);
        double elapsed = (now - start) / 1e9;
        String eta = done > 0 ? String.format("ETA %5.1fs", elapsed / done * (total - done)) : "ETA   ?";
        out.printf("\r%-28.28s [%s%s] %d/%d %s", label, "#".repeat(filled), ".".repeat(width - filled), done, total, eta);
        if (done == total) {
            out.print("\r" + " ".repeat(80) + "\r");
        }
        out.flush();
    }

    @Override
    public void afterStep(int k, int total, int t, INDArray latents) {
        show(k + 1, total);
    }
}
