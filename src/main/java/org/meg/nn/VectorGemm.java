package org.meg.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 gemm {@code C = A B} on heap arrays in JDK Vector API lanes, one call on one thread: for
 * Winograd's 36 gemms per convolution ({@code [m, k] x [k, n]}, n the tiles, 32-512 in the U-Net),
 * which run in parallel, one per task. {@code Nd4j.gemm} (oneDNN's sgemm on this build) ran these
 * shapes at 130-200 GFLOP/s on 2 threads (it splits each small gemm across both and pays its
 * threading on every call), and needed U, V and M in native memory, which Winograd's heap
 * transforms had to copy.
 *
 * <p>Register tiles of 8 rows x 2 vectors (16 accumulators, a broadcast of A per row and k, two
 * loads of B per k), a 1-vector tile for an odd last vector; k in blocks of {@link #KC}, so that
 * B's panel of a block stays in L1 across all row blocks. Every element of C is one fma chain
 * over k in order: deterministic, and the same whatever the blocking, the tile or the thread.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of a register tile: {@link #multiply}'s m is a multiple of it. */
    static final int ROWS = 8;

    private VectorGemm() {
    }

    /** Depth of a k block: B's panel of a block, KC x 2L floats (32 KB), stays in L1 across all rows of A. */
    static final int KC = 256;

    /**
     * {@code c [m, n] = a [m, k] b [k, n]}, heap, row-major, from offsets {@code aAt}, {@code bAt},
     * {@code cAt}; m a multiple of 8, n of L. By blocks of {@link #KC} of k: each tile carries its
     * sums through C from one block to the next, which rounds nothing (a float stored and loaded is
     * the same float), so the result is one fma chain over k in order, whatever KC is.
     */
    static void multiply(float[] a, int aAt, int m, int k, float[] b, int bAt, int n, float[] c, int cAt) {
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            boolean add = k0 > 0;
            int j0 = 0;
            for (; j0 + 2 * L <= n; j0 += 2 * L) {
                for (int i0 = 0; i0 < m; i0 += ROWS) {
                    tile8x2(a, aAt + i0 * k + k0, k, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                }
            }
            if (j0 < n) {
                for (int i0 = 0; i0 < m; i0 += ROWS) {
                    tile8x1(a, aAt + i0 * k + k0, k, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                }
            }
        }
    }

    // The two tiles are unrolled by hand (generated): their accumulators must be locals to stay in registers.

    /**
     * {@code C[8 rows from cRow, 2L columns from j0] (+)= A[8 rows of lda from aRow, k] B[k rows of ldb, the same columns]}:
     * 16 accumulators, started from C when {@code add}, else from zero.
     */
    private static void tile8x2(float[] a, int aRow, int lda, int k, float[] b, int bRow, int ldb, float[] c, int cRow, int ldc, boolean add) {
        FloatVector c00 = add ? FloatVector.fromArray(S, c, cRow) : FloatVector.zero(S);
        FloatVector c01 = add ? FloatVector.fromArray(S, c, cRow + 1 * L) : FloatVector.zero(S);
        FloatVector c10 = add ? FloatVector.fromArray(S, c, cRow + 1 * ldc) : FloatVector.zero(S);
        FloatVector c11 = add ? FloatVector.fromArray(S, c, cRow + 1 * ldc + 1 * L) : FloatVector.zero(S);
        FloatVector c20 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc) : FloatVector.zero(S);
        FloatVector c21 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc + 1 * L) : FloatVector.zero(S);
        FloatVector c30 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc) : FloatVector.zero(S);
        FloatVector c31 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc + 1 * L) : FloatVector.zero(S);
        FloatVector c40 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc) : FloatVector.zero(S);
        FloatVector c41 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc + 1 * L) : FloatVector.zero(S);
        FloatVector c50 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc) : FloatVector.zero(S);
        FloatVector c51 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc + 1 * L) : FloatVector.zero(S);
        FloatVector c60 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc) : FloatVector.zero(S);
        FloatVector c61 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc + 1 * L) : FloatVector.zero(S);
        FloatVector c70 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc) : FloatVector.zero(S);
        FloatVector c71 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc + 1 * L) : FloatVector.zero(S);
        for (int e = 0, bp = bRow; e < k; e++, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[aRow + e]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[aRow + 1 * lda + e]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[aRow + 2 * lda + e]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[aRow + 3 * lda + e]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[aRow + 4 * lda + e]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[aRow + 5 * lda + e]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[aRow + 6 * lda + e]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[aRow + 7 * lda + e]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
        }
        c00.intoArray(c, cRow);
        c01.intoArray(c, cRow + 1 * L);
        c10.intoArray(c, cRow + 1 * ldc);
        c11.intoArray(c, cRow + 1 * ldc + 1 * L);
        c20.intoArray(c, cRow + 2 * ldc);
        c21.intoArray(c, cRow + 2 * ldc + 1 * L);
        c30.intoArray(c, cRow + 3 * ldc);
        c31.intoArray(c, cRow + 3 * ldc + 1 * L);
        c40.intoArray(c, cRow + 4 * ldc);
        c41.intoArray(c, cRow + 4 * ldc + 1 * L);
        c50.intoArray(c, cRow + 5 * ldc);
        c51.intoArray(c, cRow + 5 * ldc + 1 * L);
        c60.intoArray(c, cRow + 6 * ldc);
        c61.intoArray(c, cRow + 6 * ldc + 1 * L);
        c70.intoArray(c, cRow + 7 * ldc);
        c71.intoArray(c, cRow + 7 * ldc + 1 * L);
    }

    /**
     * {@code C[8 rows from cRow, 1L columns from j0] (+)= A[8 rows of lda from aRow, k] B[k rows of ldb, the same columns]}:
     * 8 accumulators, started from C when {@code add}, else from zero.
     */
    private static void tile8x1(float[] a, int aRow, int lda, int k, float[] b, int bRow, int ldb, float[] c, int cRow, int ldc, boolean add) {
        FloatVector c00 = add ? FloatVector.fromArray(S, c, cRow) : FloatVector.zero(S);
        FloatVector c10 = add ? FloatVector.fromArray(S, c, cRow + 1 * ldc) : FloatVector.zero(S);
        FloatVector c20 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc) : FloatVector.zero(S);
        FloatVector c30 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc) : FloatVector.zero(S);
        FloatVector c40 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc) : FloatVector.zero(S);
        FloatVector c50 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc) : FloatVector.zero(S);
        FloatVector c60 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc) : FloatVector.zero(S);
        FloatVector c70 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc) : FloatVector.zero(S);
        for (int e = 0, bp = bRow; e < k; e++, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector x0 = FloatVector.broadcast(S, a[aRow + e]);
            c00 = b0.fma(x0, c00);
            FloatVector x1 = FloatVector.broadcast(S, a[aRow + 1 * lda + e]);
            c10 = b0.fma(x1, c10);
            FloatVector x2 = FloatVector.broadcast(S, a[aRow + 2 * lda + e]);
            c20 = b0.fma(x2, c20);
            FloatVector x3 = FloatVector.broadcast(S, a[aRow + 3 * lda + e]);
            c30 = b0.fma(x3, c30);
            FloatVector x4 = FloatVector.broadcast(S, a[aRow + 4 * lda + e]);
            c40 = b0.fma(x4, c40);
            FloatVector x5 = FloatVector.broadcast(S, a[aRow + 5 * lda + e]);
            c50 = b0.fma(x5, c50);
            FloatVector x6 = FloatVector.broadcast(S, a[aRow + 6 * lda + e]);
            c60 = b0.fma(x6, c60);
            FloatVector x7 = FloatVector.broadcast(S, a[aRow + 7 * lda + e]);
            c70 = b0.fma(x7, c70);
        }
        c00.intoArray(c, cRow);
        c10.intoArray(c, cRow + 1 * ldc);
        c20.intoArray(c, cRow + 2 * ldc);
        c30.intoArray(c, cRow + 3 * ldc);
        c40.intoArray(c, cRow + 4 * ldc);
        c50.intoArray(c, cRow + 5 * ldc);
        c60.intoArray(c, cRow + 6 * ldc);
        c70.intoArray(c, cRow + 7 * ldc);
    }

}
