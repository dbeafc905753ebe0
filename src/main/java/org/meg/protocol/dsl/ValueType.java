package org.meg.protocol.dsl;

/** What a protocol value is; a value may also be a list of these, one per ES. */
public enum ValueType {
    /** The user's prompt, sent losslessly. */
    TEXT,
    /** A full-resolution RGB image in [-1, 1]. */
    IMAGE,
    /** A scaled latent (the paper's "seed"). */
    SEED,
    /** A low-resolution image (the paper's "sketch"). */
    SKETCH
}
