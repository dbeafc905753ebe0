package org.meg.protocol;

import org.meg.protocol.stage.Stages;

/**
 * A node of the network: its stages (its own model and settings) and its compute speed.
 *
 * @param name   "UE" or "ESi"
 * @param stages what it runs
 * @param model  a short description of its model for reports
 * @param speed  compute speed relative to this machine: measured seconds / speed = reported seconds
 */
public record NodeProfile(String name, Stages stages, String model, double speed) {
    /** Validates. */
    public NodeProfile {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed of " + name + " must be positive and finite, got " + speed);
        }
    }

    /** A copy with another name. */
    public NodeProfile named(String n) {
        return new NodeProfile(n, stages, model, speed);
    }
}
