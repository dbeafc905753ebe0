package org.meg.unet;

/**
 * {@link Conditioning} for the ONNX export: the names of graph values instead of arrays.
 *
 * @param emb          timestep embedding after {@code time_embed}, [B, 4 * C0]
 * @param context      cross-attention context, [B, S, contextDim]
 * @param upsampleLike a value whose last two dimensions an {@link Upsample} must reach (the next skip), or null
 */
record GraphConditioning(String emb, String context, String upsampleLike) {
    /** The same conditioning with another upsample target. */
    GraphConditioning upsampleTo(String like) {
        return new GraphConditioning(emb, context, like);
    }
}
