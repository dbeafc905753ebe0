package org.meg.unet;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a U-Net layer may read besides its input.
 *
 * @param emb          timestep embedding after {@code time_embed}, [B, 4 * C0] (ResBlocks)
 * @param context      cross-attention context, [B, S, contextDim] (spatial transformers)
 * @param upsampleSize {h, w} an {@link Upsample} must reach (the next skip's size), or null
 */
record Conditioning(INDArray emb, INDArray context, long[] upsampleSize) {
    /** The same conditioning with another upsample target. */
    Conditioning upsampleTo(long[] size) {
        return new Conditioning(emb, context, size);
    }
}
