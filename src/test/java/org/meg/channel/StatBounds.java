package org.meg.channel;

import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * Two-sided acceptance intervals for the statistical channel tests. Each check fails a correct
 * implementation with probability at most {@code alpha} (the check's failure budget).
 */
final class StatBounds {
    /** Failure budget per statistical check. */
    static final double ALPHA = 1e-6;

    private StatBounds() {
    }

    /** {@code [q(alpha/2), q(1 - alpha/2)]} of chi-square with {@code dof} degrees of freedom. */
    static double[] chiSquare(int dof, double alpha) {
        ChiSquaredDistribution d = new ChiSquaredDistribution(null, dof);
        return new double[] {d.inverseCumulativeProbability(alpha / 2), d.inverseCumulativeProbability(1 - alpha / 2)};
    }

    /** {@code [lo, hi]} with {@code P(X < lo) + P(X > hi) <= alpha} for {@code X ~ Binomial(n, p)}. */
    static long[] binomial(int n, double p, double alpha) {
        BinomialDistribution d = new BinomialDistribution(null, n, p);
        return new long[] {d.inverseCumulativeProbability(alpha / 2), d.inverseCumulativeProbability(1 - alpha / 2)};
    }
}
