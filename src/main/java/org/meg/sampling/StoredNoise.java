package org.meg.sampling;

import java.nio.file.Path;
import java.util.Arrays;
import org.meg.io.SafeTensorsFile;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Draws read from a safetensors file by name (e.g. the reference's {@code posterior_eps} and
 * {@code noise}); a name the file lacks goes to a fallback source, or is an error naming it.
 */
public final class StoredNoise implements NoiseSource {
    private final SafeTensorsFile file;
    private final NoiseSource fallback;

    private StoredNoise(SafeTensorsFile file, NoiseSource fallback) {
        this.file = file;
        this.fallback = fallback;
    }

    /** Reads draws from {@code path}; names it lacks come from {@code fallback} (may be null). */
    public static StoredNoise open(Path path, NoiseSource fallback) {
        return new StoredNoise(SafeTensorsFile.open(path), fallback);
    }

    @Override
    public INDArray normal(String name, long... shape) {
        if (!file.names().contains(name)) {
            if (fallback != null) {
                return fallback.normal(name, shape);
            }
            throw new IllegalArgumentException(file.path() + " has no noise tensor '" + name + "' "
                    + Arrays.toString(shape) + "; it holds " + file.names());
        }
        long[] stored = file.shape(name);
        if (!Arrays.equals(stored, shape)) {
            throw new IllegalArgumentException("noise tensor '" + name + "' in " + file.path() + " has shape "
                    + Arrays.toString(stored) + ", the run needs " + Arrays.toString(shape));
        }
        return file.load(name);
    }
}
