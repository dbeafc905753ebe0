package org.meg.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A Python tuple read from a pickle: an unmodifiable list that may hold {@code null} (None). */
record PickleTuple(List<Object> items) {
    /** Copies the items; the copy is unmodifiable. */
    static PickleTuple of(List<Object> items) {
        return new PickleTuple(Collections.unmodifiableList(new ArrayList<>(items)));
    }

    /** Number of items. */
    int size() {
        return items.size();
    }

    /** The item at {@code i}. */
    Object get(int i) {
        return items.get(i);
    }

    @Override
    public String toString() {
        return "tuple of " + items.size();
    }
}
