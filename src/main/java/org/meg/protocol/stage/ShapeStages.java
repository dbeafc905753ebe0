package org.meg.protocol.stage;

import org.meg.sampling.NoiseSource;
import org.meg.sampling.SeededNoise;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stages that run no model: each returns a placeholder tensor of the shape the real stage would
 * give (SD 1.x: 4 latent channels, 8x down-scaling). The ledger of a run on them is the exact
 * ledger of the real run, which is how {@code meg overhead} reproduces the paper's Fig. 6.
 */
public final class ShapeStages implements Stages {
    private final int sketchFactor;

    private ShapeStages(int sketchFactor) {
        this.sketchFactor = sketchFactor;
    }

    /** Shape-only stages with sketches downsampled by {@code sketchFactor}. */
    public static ShapeStages of(int sketchFactor) {
        if (sketchFactor < 1) {
            throw new IllegalArgumentException("sketch factor must be >= 1, got " + sketchFactor);
        }
        return new ShapeStages(sketchFactor);
    }

    private static INDArray filler(long... shape) {
        return SeededNoise.of(0).normal("placeholder", shape);
    }

    @Override
    public INDArray encode(INDArray image, NoiseSource noise) {
        return filler(1, 4, image.size(2) / 8, image.size(3) / 8);
    }

    @Override
    public INDArray denoise(INDArray seed, String prompt, NoiseSource noise, double channelVariance) {
        return filler(seed.shape());
    }

    @Override
    public INDArray decode(INDArray seed, String prompt, NoiseSource noise, double channelVariance) {
        return filler(1, 3, seed.size(2) * 8, seed.size(3) * 8);
    }

    @Override
    public INDArray sketch(INDArray image, String prompt, NoiseSource noise) {
        return filler(1, 3, image.size(2) / sketchFactor, image.size(3) / sketchFactor);
    }

    @Override
    public INDArray complete(INDArray sketch, String prompt, NoiseSource noise) {
        return filler(1, 3, sketch.size(2) * sketchFactor, sketch.size(3) * sketchFactor);
    }
}
