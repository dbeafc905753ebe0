package org.meg.protocol.stage;

/**
 * Where a part of a split value sits, in the columns of the value that was split.
 *
 * @param index     part number 0..N-1
 * @param start     first column of the part (core plus halo)
 * @param end       one past its last column
 * @param coreStart first column this part owns
 * @param coreEnd   one past the last column it owns
 * @param fullWidth width of the value that was split
 */
public record Tile(int index, int start, int end, int coreStart, int coreEnd, int fullWidth) {
    /** Validates the geometry. */
    public Tile {
        if (!(0 <= start && start <= coreStart && coreStart < coreEnd && coreEnd <= end && end <= fullWidth)) {
            throw new IllegalArgumentException("bad tile " + start + ".." + coreStart + ".." + coreEnd + ".." + end
                    + " of " + fullWidth);
        }
    }

    /** Columns of the part. */
    public int width() {
        return end - start;
    }
}
