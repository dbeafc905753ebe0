package org.meg.sampling;

import java.util.Arrays;

/**
 * An immutable, descending list of sampled timesteps and the stride between them.
 *
 * @param values descending timesteps, e.g. 981, 961, ..., 1 for 50 steps
 * @param ratio  T / n, the distance from one timestep to the previous one
 */
public record Timesteps(int[] values, int ratio) {
    /** Defensive copy. */
    public Timesteps {
        values = values.clone();
    }

    /** Number of steps. */
    public int size() {
        return values.length;
    }

    /** The k-th timestep. */
    public int get(int k) {
        return values[k];
    }

    /** The timestep after t in the sampling order: {@code t - ratio} (may be negative at the end). */
    public int prev(int t) {
        return t - ratio;
    }

    /** A copy of the values. */
    @Override
    public int[] values() {
        return values.clone();
    }

    /**
     * The tail used by image-to-image at a strength: {@code init = min(int(n * strength), n)},
     * {@code ts[n - init:]} (diffusers {@code StableDiffusionImg2ImgPipeline.get_timesteps}).
     */
    public Timesteps forStrength(double strength) {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in [0, 1], got " + strength);
        }
        int n = values.length;
        int init = Math.min((int) (n * strength), n);
        return new Timesteps(Arrays.copyOfRange(values, n - init, n), ratio);
    }

    /** The steps from the first timestep at or below {@code t} to the end. */
    public Timesteps startingAt(int t) {
        int k = 0;
        while (k < values.length && values[k] > t) {
            k++;
        }
        return new Timesteps(Arrays.copyOfRange(values, k, values.length), ratio);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Timesteps other && ratio == other.ratio && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + ratio;
    }

    @Override
    public String toString() {
        return "Timesteps" + Arrays.toString(values);
    }
}
