package org.meg.protocol.stage;

/**
 * How a node runs its model.
 *
 * @param steps            DDIM inference steps n (the schedule the strength cuts)
 * @param strength         image-to-image strength of {@code denoise} in [0, 1]
 * @param guidance         classifier-free guidance scale
 * @param eta              DDIM eta (0 = deterministic)
 * @param negativePrompt   the unconditional prompt
 * @param sketchFactor     a sketch is the generated image downsampled by this factor
 * @param completeStrength image-to-image strength of the completer on the upsampled sketch
 */
public record StageSettings(int steps, double strength, double guidance, double eta, String negativePrompt,
                            int sketchFactor, double completeStrength) {
    /** Validates every field, naming the bad one. */
    public StageSettings {
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("steps must be in 1..1000, got " + steps);
        }
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in [0, 1], got " + strength);
        }
        if (!(completeStrength >= 0 && completeStrength <= 1)) {
            throw new IllegalArgumentException("complete strength must be in [0, 1], got " + completeStrength);
        }
        if (!Double.isFinite(guidance) || guidance < 0) {
            throw new IllegalArgumentException("guidance must be finite and >= 0, got " + guidance);
        }
        if (!(eta >= 0) || Double.isInfinite(eta)) {
            throw new IllegalArgumentException("eta must be finite and >= 0, got " + eta);
        }
        if (sketchFactor < 1) {
            throw new IllegalArgumentException("sketch factor must be >= 1, got " + sketchFactor);
        }
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
    }

    /** The paper's case study: 50 steps, strength 0.75, guidance 7.5, half-resolution sketches. */
    public static StageSettings paper() {
        return new StageSettings(50, 0.75, 7.5, 0.0, "", 2, 0.5);
    }

    /** A copy with another step count. */
    public StageSettings withSteps(int n) {
        return new StageSettings(n, strength, guidance, eta, negativePrompt, sketchFactor, completeStrength);
    }
}
