package org.meg.io;

/**
 * A torch storage named by a persistent id {@code ('storage', torch.FloatStorage, key, location, numel)};
 * its bytes are the zip entry {@code <archive>/data/<key>}.
 */
record TorchStorage(String key, DType dtype, String location, long numel) {
}
