package org.meg.vae;

import org.meg.nn.Conv2d;
import org.meg.nn.GroupNorm;
import org.meg.nn.Tensors;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * VAE ResNet block without time embedding (CompVis {@code ResnetBlock}, temb_channels=0):
 * {@code x' = shortcut(x) + conv2(silu(norm2(conv1(silu(norm1(x))))))}.
 */
final class ResnetBlock {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    // dropout is identity at inference
    private final Conv2d conv2;
    private final Conv2d ninShortcut;                                   // 1x1, only when in != out

    private ResnetBlock(GroupNorm norm1, Conv2d conv1, GroupNorm norm2, Conv2d conv2, Conv2d ninShortcut) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.ninShortcut = ninShortcut;
    }

    /** Loads {@code norm1, conv1, norm2, conv2} and, if {@code in != out}, {@code nin_shortcut}. */
    static ResnetBlock load(Weights w, int in, int out, int groups) {
        return new ResnetBlock(
                GroupNorm.load(w.child("norm1"), groups, in, VaeConfig.EPS),
                Conv2d.load(w.child("conv1"), in, out, 3, 1, 1),
                GroupNorm.load(w.child("norm2"), groups, out, VaeConfig.EPS),
                Conv2d.load(w.child("conv2"), out, out, 3, 1, 1),
                in == out ? null : Conv2d.load(w.child("nin_shortcut"), in, out, 1, 1, 0));
    }

    /**
     * {@code [B, in, H, W] -> [B, out, H, W]}; frees its temporaries as it goes, never {@code x}.
     * norm2 runs in conv1's output, which nothing else reads.
     */
    INDArray forward(INDArray x) {
        INDArray a1 = norm1.forwardSilu(x);
        INDArray h1 = conv1.forward(a1);
        Tensors.release(a1);
        INDArray h = secondHalf(h1);
        if (ninShortcut == null) {
            return h.addi(x);
        }
        INDArray skip = ninShortcut.forward(x);
        h.addi(skip);
        Tensors.release(skip);
        return h;
    }

    /**
     * {@link #forward}, for a caller whose last use of x this is: x is freed, or overwritten and
     * freed. With a shortcut convolution, that runs first and norm1 then runs in x's memory, so the
     * block holds at most x, conv1's output and the shortcut (the VAE decoder's 256 -> 128 block at
     * 512x512: 512 MB instead of 640). The same bits as {@link #forward}.
     */
    INDArray forwardConsuming(INDArray x) {
        if (ninShortcut == null) {
            INDArray h = forward(x);
            Tensors.release(x);
            return h;
        }
        INDArray skip = ninShortcut.forward(x);
        INDArray a1 = norm1.forwardSiluInPlace(x);
        INDArray h1 = conv1.forward(a1);
        Tensors.release(a1, x);
        INDArray h = secondHalf(h1);
        h.addi(skip);
        Tensors.release(skip);
        return h;
    }

    /** {@code conv2(silu(norm2(h1)))}, the norm in h1's memory; h1 is freed. */
    private INDArray secondHalf(INDArray h1) {
        INDArray a2 = norm2.forwardSiluInPlace(h1);
        INDArray h = conv2.forward(a2);
        Tensors.release(a2, h1);
        return h;
    }
}
