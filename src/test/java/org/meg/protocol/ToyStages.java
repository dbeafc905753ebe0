package org.meg.protocol;

import org.meg.io.Images;
import org.meg.protocol.stage.Stages;
import org.meg.sampling.NoiseSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model-free stand-in with the real shapes: encode = 8x8 block means plus a channel of the
 * stage's noise, denoise adds a little noise, decode repeats pixels 8x. Deterministic given the
 * noise source, so it exposes what the runner does with seeds and channels.
 */
final class ToyStages implements Stages {
    @Override
    public INDArray encode(INDArray image, NoiseSource noise) {
        INDArray m = Images.downsample(image, 8);
        INDArray extra = noise.normal("posterior_eps", 1, 1, m.size(2), m.size(3));
        return Nd4j.concat(1, m, extra);
    }

    @Override
    public INDArray denoise(INDArray seed, String prompt, NoiseSource noise, double channelVariance) {
        return seed.add(noise.normal("noise", seed.shape()).muli(0.01));
    }

    @Override
    public INDArray decode(INDArray seed, String prompt, NoiseSource noise, double channelVariance) {
        INDArray rgb = seed.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
        return rgb.repeat(2, 8).repeat(3, 8);
    }

    @Override
    public INDArray sketch(INDArray image, String prompt, NoiseSource noise) {
        return Images.downsample(image, 2);
    }

    @Override
    public INDArray complete(INDArray sketch, String prompt, NoiseSource noise) {
        return Images.resizeBilinear(sketch, (int) sketch.size(2) * 2, (int) sketch.size(3) * 2);
    }
}
