package org.meg.protocol;

import org.meg.io.Images;
import org.meg.metrics.ImageQuality;
import org.meg.protocol.dsl.ProtocolScript;
import org.meg.protocol.stage.Tiles;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One protocol over the configured channel and, with the same seeds, over perfect channels; the
 * quality of the first is measured against the second.
 */
public final class Experiment {
    private Experiment() {
    }

    /**
     * The outcome.
     *
     * @param noisy     the run over the channel
     * @param reference the same run over perfect channels
     * @param psnr      PSNR (dB) of the output against the reference output, on [0, 1] images
     * @param ssim      SSIM (Wang et al. 2004) of the same pair
     * @param seamRatio seam visibility of a merged output (NaN if nothing was merged), see {@link Tiles#seamRatio}
     */
    public record Outcome(RunResult noisy, RunResult reference, double psnr, double ssim, double seamRatio) {
    }

    /** Runs {@code script} twice and compares. */
    public static Outcome run(ProtocolScript script, Network network, String prompt, INDArray image, RunSettings settings) {
        RunResult ref = ProtocolRunner.run(script, network, prompt, image, settings.perfectChannel());
        RunResult noisy = settings.perfect() ? ref : ProtocolRunner.run(script, network, prompt, image, settings);
        INDArray a = Images.to01(noisy.output());
        INDArray b = Images.to01(ref.output());
        float[] fa = a.dup('c').data().asFloat();
        float[] fb = b.dup('c').data().asFloat();
        double psnr = ImageQuality.psnr(fa, fb, 1.0);
        double ssim = ImageQuality.ssim(fa, fb, 3, (int) a.size(2), (int) a.size(3), 1.0);
        double seam = noisy.seamFractions().isEmpty() ? Double.NaN : Tiles.seamRatio(a, noisy.seamColumns());
        return new Outcome(noisy, ref, psnr, ssim, seam);
    }
}
