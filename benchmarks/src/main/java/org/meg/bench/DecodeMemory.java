package org.meg.bench;

import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.meg.io.RandomWeights;
import org.meg.nn.Weights;
import org.meg.vae.AutoencoderKL;
import org.meg.vae.VaeConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Time and peak memory of SD 1.5's AutoencoderKL decode at 512x512 (random weights, a random
 * [1, 4, 64, 64] latent), outside any workspace as the pipeline runs it: each decode's wall time,
 * then the peak RSS above the loaded VAE (sampled every 10 ms). With {@code ab-builds.sh}-style
 * classpaths it compares two builds; {@code run.sh decode [repeats=3]} runs this build.
 */
public final class DecodeMemory {
    private static final double MB = 1024.0 * 1024.0;

    private DecodeMemory() {
    }

    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Weights w = Weights.of(RandomWeights.of(Layouts.vae(VaeConfig.sd15()), 99));
        AutoencoderKL vae = AutoencoderKL.load(w, VaeConfig.sd15());
        w.requireAllTaken(k -> false);
        INDArray z = Nd4j.randn(5L, new long[] {1, 4, 64, 64});
        System.gc();
        long loaded = Pointer.physicalBytes();
        RssPeak peak = RssPeak.start(loaded);
        for (int i = 0; i < repeats; i++) {
            long t = System.nanoTime();
            INDArray image = vae.decode(z);
            System.out.printf(Locale.ROOT, "decode %d: %.2f s%n", i, (System.nanoTime() - t) / 1e9);
            image.close();
        }
        peak.close();
        System.out.printf(Locale.ROOT, "VAE decode 512x512: peak RSS %.0f MB above the loaded VAE (%.0f MB)%n",
                (peak.peak() - loaded) / MB, loaded / MB);
    }
}
