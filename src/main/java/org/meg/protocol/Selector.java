package org.meg.protocol;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Picks one of the candidates the ESs returned (the user's choice in DSUC and the parallel protocols). */
@FunctionalInterface
public interface Selector {
    /** Index of the chosen candidate. */
    int pick(List<INDArray> candidates);

    /** Always the candidate of ES{@code i + 1} (0-based index). */
    static Selector index(int i) {
        if (i < 0) {
            throw new IllegalArgumentException("selector index must be >= 0, got " + i);
        }
        return c -> {
            if (i >= c.size()) {
                throw new IllegalArgumentException("selector index " + i + " but only " + c.size() + " candidates");
            }
            return i;
        };
    }

    /** The first candidate. */
    static Selector first() {
        return index(0);
    }
}
