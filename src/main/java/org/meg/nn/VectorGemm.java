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
 * <p>Register tiles of 14 rows x 2 vectors (28 accumulators, a broadcast of A per row and k, two
 * loads of B per k), a 1-vector tile for an odd last vector; A row-major or packed in panels of 14
 * rows (the broadcasts of one k consecutive: {@link #panels}); k in blocks of {@link #KC}, so that
 * B's panel of a block stays in L1 across all row blocks. On 2 threads, 36 gemms [m, k] x [k, n]
 * at once as in Winograd, A from memory: n = 128: 14 x 2 on panels 225 GFLOP/s, on rows 206, the
 * 8 x 2 tile before them 178; n = 512: 205, 178, 171; n = 32: 166, 185, 182 (15 x 2 and more spill
 * registers). Every element of C is one fma chain over k in order: deterministic, and the same
 * whatever the blocking, the tile or the thread.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of a register tile and of A's panels: {@link #multiply}'s m is a multiple of it. */
    static final int ROWS = 14;

    private VectorGemm() {
    }

    /** Depth of a k block: B's panel of a block, KC x 2L floats (32 KB), stays in L1 across all rows of A. */
    static final int KC = 256;

    /**
     * Whether {@link #multiply} should read A in panels for products of n columns: from 4 vectors,
     * where each panel is read for several column tiles. At n = 2L (SD 1.5's 16x16 maps, batch 2) A
     * streams through once, and 14 rows read where they lie ran faster (185 vs 166 GFLOP/s on 2
     * threads, 36 gemms of [1288, 1280] x [1280, 32]; at n = 128, 206 vs 225).
     */
    static boolean panels(int n) {
        return n >= 4 * L;
    }

    /**
     * {@code c [m, n] = a [m, k] b [k, n]}, heap, row-major B and C from offsets {@code bAt} and
     * {@code cAt}; A from {@code aAt}, row-major, or when {@code panels} in panels of {@link #ROWS}
     * rows: panel p holds rows {@code 14 p .. 14 p + 13} as [k, 14] (element (i, e) at
     * {@code aAt + (i / 14) 14 k + 14 e + i % 14}), so that a tile's 14 broadcasts for one k are one
     * run of memory; m a multiple of 14, n of L. By blocks of {@link #KC} of k: each tile carries its
     * sums through C from one block to the next, which rounds nothing (a float stored and loaded is
     * the same float), so the result is one fma chain over k in order, whatever KC and the layout.
     */
    static void multiply(float[] a, int aAt, int m, int k, boolean panels, float[] b, int bAt, int n, float[] c, int cAt) {
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            boolean add = k0 > 0;
            int j0 = 0;
            for (; j0 + 2 * L <= n; j0 += 2 * L) {
                for (int i0 = 0; i0 < m; i0 += ROWS) {
                    if (panels) {
                        panel14x2(a, aAt + i0 * k + k0 * ROWS, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                    } else {
                        rows14x2(a, aAt + i0 * k + k0, k, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                    }
                }
            }
            if (j0 < n) {
                for (int i0 = 0; i0 < m; i0 += ROWS) {
                    if (panels) {
                        panel14x1(a, aAt + i0 * k + k0 * ROWS, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                    } else {
                        rows14x1(a, aAt + i0 * k + k0, k, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                    }
                }
            }
        }
    }

    // The tiles are unrolled by hand (generated): their accumulators must be locals to stay in registers.

    /**
     * {@code C[14 rows from cRow, 2L columns] (+)= A[a panel's 14 rows, k] B[k rows of ldb, the same columns]},
     * A read from {@code ap} in the panel's order (the 14 rows' values of one k, then the next k):
     * 28 accumulators, started from C when {@code add}, else from zero.
     */
    private static void panel14x2(float[] a, int ap, int k, float[] b, int bRow, int ldb, float[] c, int cRow, int ldc, boolean add) {
        FloatVector c0_0 = add ? FloatVector.fromArray(S, c, cRow) : FloatVector.zero(S);
        FloatVector c0_1 = add ? FloatVector.fromArray(S, c, cRow + L) : FloatVector.zero(S);
        FloatVector c1_0 = add ? FloatVector.fromArray(S, c, cRow + ldc) : FloatVector.zero(S);
        FloatVector c1_1 = add ? FloatVector.fromArray(S, c, cRow + ldc + L) : FloatVector.zero(S);
        FloatVector c2_0 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc) : FloatVector.zero(S);
        FloatVector c2_1 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc + L) : FloatVector.zero(S);
        FloatVector c3_0 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc) : FloatVector.zero(S);
        FloatVector c3_1 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc + L) : FloatVector.zero(S);
        FloatVector c4_0 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc) : FloatVector.zero(S);
        FloatVector c4_1 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc + L) : FloatVector.zero(S);
        FloatVector c5_0 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc) : FloatVector.zero(S);
        FloatVector c5_1 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc + L) : FloatVector.zero(S);
        FloatVector c6_0 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc) : FloatVector.zero(S);
        FloatVector c6_1 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc + L) : FloatVector.zero(S);
        FloatVector c7_0 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc) : FloatVector.zero(S);
        FloatVector c7_1 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc + L) : FloatVector.zero(S);
        FloatVector c8_0 = add ? FloatVector.fromArray(S, c, cRow + 8 * ldc) : FloatVector.zero(S);
        FloatVector c8_1 = add ? FloatVector.fromArray(S, c, cRow + 8 * ldc + L) : FloatVector.zero(S);
        FloatVector c9_0 = add ? FloatVector.fromArray(S, c, cRow + 9 * ldc) : FloatVector.zero(S);
        FloatVector c9_1 = add ? FloatVector.fromArray(S, c, cRow + 9 * ldc + L) : FloatVector.zero(S);
        FloatVector c10_0 = add ? FloatVector.fromArray(S, c, cRow + 10 * ldc) : FloatVector.zero(S);
        FloatVector c10_1 = add ? FloatVector.fromArray(S, c, cRow + 10 * ldc + L) : FloatVector.zero(S);
        FloatVector c11_0 = add ? FloatVector.fromArray(S, c, cRow + 11 * ldc) : FloatVector.zero(S);
        FloatVector c11_1 = add ? FloatVector.fromArray(S, c, cRow + 11 * ldc + L) : FloatVector.zero(S);
        FloatVector c12_0 = add ? FloatVector.fromArray(S, c, cRow + 12 * ldc) : FloatVector.zero(S);
        FloatVector c12_1 = add ? FloatVector.fromArray(S, c, cRow + 12 * ldc + L) : FloatVector.zero(S);
        FloatVector c13_0 = add ? FloatVector.fromArray(S, c, cRow + 13 * ldc) : FloatVector.zero(S);
        FloatVector c13_1 = add ? FloatVector.fromArray(S, c, cRow + 13 * ldc + L) : FloatVector.zero(S);
        for (int e = 0, bp = bRow, p = ap; e < k; e++, bp += ldb, p += ROWS) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[p]);
            c0_0 = b0.fma(x, c0_0);
            c0_1 = b1.fma(x, c0_1);
            x = FloatVector.broadcast(S, a[p + 1]);
            c1_0 = b0.fma(x, c1_0);
            c1_1 = b1.fma(x, c1_1);
            x = FloatVector.broadcast(S, a[p + 2]);
            c2_0 = b0.fma(x, c2_0);
            c2_1 = b1.fma(x, c2_1);
            x = FloatVector.broadcast(S, a[p + 3]);
            c3_0 = b0.fma(x, c3_0);
            c3_1 = b1.fma(x, c3_1);
            x = FloatVector.broadcast(S, a[p + 4]);
            c4_0 = b0.fma(x, c4_0);
            c4_1 = b1.fma(x, c4_1);
            x = FloatVector.broadcast(S, a[p + 5]);
            c5_0 = b0.fma(x, c5_0);
            c5_1 = b1.fma(x, c5_1);
            x = FloatVector.broadcast(S, a[p + 6]);
            c6_0 = b0.fma(x, c6_0);
            c6_1 = b1.fma(x, c6_1);
            x = FloatVector.broadcast(S, a[p + 7]);
            c7_0 = b0.fma(x, c7_0);
            c7_1 = b1.fma(x, c7_1);
            x = FloatVector.broadcast(S, a[p + 8]);
            c8_0 = b0.fma(x, c8_0);
            c8_1 = b1.fma(x, c8_1);
            x = FloatVector.broadcast(S, a[p + 9]);
            c9_0 = b0.fma(x, c9_0);
            c9_1 = b1.fma(x, c9_1);
            x = FloatVector.broadcast(S, a[p + 10]);
            c10_0 = b0.fma(x, c10_0);
            c10_1 = b1.fma(x, c10_1);
            x = FloatVector.broadcast(S, a[p + 11]);
            c11_0 = b0.fma(x, c11_0);
            c11_1 = b1.fma(x, c11_1);
            x = FloatVector.broadcast(S, a[p + 12]);
            c12_0 = b0.fma(x, c12_0);
            c12_1 = b1.fma(x, c12_1);
            x = FloatVector.broadcast(S, a[p + 13]);
            c13_0 = b0.fma(x, c13_0);
            c13_1 = b1.fma(x, c13_1);
        }
        c0_0.intoArray(c, cRow);
        c0_1.intoArray(c, cRow + L);
        c1_0.intoArray(c, cRow + ldc);
        c1_1.intoArray(c, cRow + ldc + L);
        c2_0.intoArray(c, cRow + 2 * ldc);
        c2_1.intoArray(c, cRow + 2 * ldc + L);
        c3_0.intoArray(c, cRow + 3 * ldc);
        c3_1.intoArray(c, cRow + 3 * ldc + L);
        c4_0.intoArray(c, cRow + 4 * ldc);
        c4_1.intoArray(c, cRow + 4 * ldc + L);
        c5_0.intoArray(c, cRow + 5 * ldc);
        c5_1.intoArray(c, cRow + 5 * ldc + L);
        c6_0.intoArray(c, cRow + 6 * ldc);
        c6_1.intoArray(c, cRow + 6 * ldc + L);
        c7_0.intoArray(c, cRow + 7 * ldc);
        c7_1.intoArray(c, cRow + 7 * ldc + L);
        c8_0.intoArray(c, cRow + 8 * ldc);
        c8_1.intoArray(c, cRow + 8 * ldc + L);
        c9_0.intoArray(c, cRow + 9 * ldc);
        c9_1.intoArray(c, cRow + 9 * ldc + L);
        c10_0.intoArray(c, cRow + 10 * ldc);
        c10_1.intoArray(c, cRow + 10 * ldc + L);
        c11_0.intoArray(c, cRow + 11 * ldc);
        c11_1.intoArray(c, cRow + 11 * ldc + L);
        c12_0.intoArray(c, cRow + 12 * ldc);
        c12_1.intoArray(c, cRow + 12 * ldc + L);
        c13_0.intoArray(c, cRow + 13 * ldc);
        c13_1.intoArray(c, cRow + 13 * ldc + L);
    }

    /**
     * {@code C[14 rows from cRow, 1L columns] (+)= A[a panel's 14 rows, k] B[k rows of ldb, the same columns]},
     * A read from {@code ap} in the panel's order (the 14 rows' values of one k, then the next k):
     * 14 accumulators, started from C when {@code add}, else from zero.
     */
    private static void panel14x1(float[] a, int ap, int k, float[] b, int bRow, int ldb, float[] c, int cRow, int ldc, boolean add) {
        FloatVector c0_0 = add ? FloatVector.fromArray(S, c, cRow) : FloatVector.zero(S);
        FloatVector c1_0 = add ? FloatVector.fromArray(S, c, cRow + ldc) : FloatVector.zero(S);
        FloatVector c2_0 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc) : FloatVector.zero(S);
        FloatVector c3_0 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc) : FloatVector.zero(S);
        FloatVector c4_0 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc) : FloatVector.zero(S);
        FloatVector c5_0 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc) : FloatVector.zero(S);
        FloatVector c6_0 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc) : FloatVector.zero(S);
        FloatVector c7_0 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc) : FloatVector.zero(S);
        FloatVector c8_0 = add ? FloatVector.fromArray(S, c, cRow + 8 * ldc) : FloatVector.zero(S);
        FloatVector c9_0 = add ? FloatVector.fromArray(S, c, cRow + 9 * ldc) : FloatVector.zero(S);
        FloatVector c10_0 = add ? FloatVector.fromArray(S, c, cRow + 10 * ldc) : FloatVector.zero(S);
        FloatVector c11_0 = add ? FloatVector.fromArray(S, c, cRow + 11 * ldc) : FloatVector.zero(S);
        FloatVector c12_0 = add ? FloatVector.fromArray(S, c, cRow + 12 * ldc) : FloatVector.zero(S);
        FloatVector c13_0 = add ? FloatVector.fromArray(S, c, cRow + 13 * ldc) : FloatVector.zero(S);
        for (int e = 0, bp = bRow, p = ap; e < k; e++, bp += ldb, p += ROWS) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector x = FloatVector.broadcast(S, a[p]);
            c0_0 = b0.fma(x, c0_0);
            x = FloatVector.broadcast(S, a[p + 1]);
            c1_0 = b0.fma(x, c1_0);
            x = FloatVector.broadcast(S, a[p + 2]);
            c2_0 = b0.fma(x, c2_0);
            x = FloatVector.broadcast(S, a[p + 3]);
            c3_0 = b0.fma(x, c3_0);
            x = FloatVector.broadcast(S, a[p + 4]);
            c4_0 = b0.fma(x, c4_0);
            x = FloatVector.broadcast(S, a[p + 5]);
            c5_0 = b0.fma(x, c5_0);
            x = FloatVector.broadcast(S, a[p + 6]);
            c6_0 = b0.fma(x, c6_0);
            x = FloatVector.broadcast(S, a[p + 7]);
            c7_0 = b0.fma(x, c7_0);
            x = FloatVector.broadcast(S, a[p + 8]);
            c8_0 = b0.fma(x, c8_0);
            x = FloatVector.broadcast(S, a[p + 9]);
            c9_0 = b0.fma(x, c9_0);
            x = FloatVector.broadcast(S, a[p + 10]);
            c10_0 = b0.fma(x, c10_0);
            x = FloatVector.broadcast(S, a[p + 11]);
            c11_0 = b0.fma(x, c11_0);
            x = FloatVector.broadcast(S, a[p + 12]);
            c12_0 = b0.fma(x, c12_0);
            x = FloatVector.broadcast(S, a[p + 13]);
            c13_0 = b0.fma(x, c13_0);
        }
        c0_0.intoArray(c, cRow);
        c1_0.intoArray(c, cRow + ldc);
        c2_0.intoArray(c, cRow + 2 * ldc);
        c3_0.intoArray(c, cRow + 3 * ldc);
        c4_0.intoArray(c, cRow + 4 * ldc);
        c5_0.intoArray(c, cRow + 5 * ldc);
        c6_0.intoArray(c, cRow + 6 * ldc);
        c7_0.intoArray(c, cRow + 7 * ldc);
        c8_0.intoArray(c, cRow + 8 * ldc);
        c9_0.intoArray(c, cRow + 9 * ldc);
        c10_0.intoArray(c, cRow + 10 * ldc);
        c11_0.intoArray(c, cRow + 11 * ldc);
        c12_0.intoArray(c, cRow + 12 * ldc);
        c13_0.intoArray(c, cRow + 13 * ldc);
    }

    /**
     * {@code C[14 rows from cRow, 2L columns] (+)= A[14 rows of lda from ap, k] B[k rows of ldb, the same columns]}:
     * 28 accumulators, started from C when {@code add}, else from zero.
     */
    private static void rows14x2(float[] a, int ap, int lda, int k, float[] b, int bRow, int ldb, float[] c, int cRow, int ldc, boolean add) {
        FloatVector c0_0 = add ? FloatVector.fromArray(S, c, cRow) : FloatVector.zero(S);
        FloatVector c0_1 = add ? FloatVector.fromArray(S, c, cRow + L) : FloatVector.zero(S);
        FloatVector c1_0 = add ? FloatVector.fromArray(S, c, cRow + ldc) : FloatVector.zero(S);
        FloatVector c1_1 = add ? FloatVector.fromArray(S, c, cRow + ldc + L) : FloatVector.zero(S);
        FloatVector c2_0 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc) : FloatVector.zero(S);
        FloatVector c2_1 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc + L) : FloatVector.zero(S);
        FloatVector c3_0 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc) : FloatVector.zero(S);
        FloatVector c3_1 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc + L) : FloatVector.zero(S);
        FloatVector c4_0 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc) : FloatVector.zero(S);
        FloatVector c4_1 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc + L) : FloatVector.zero(S);
        FloatVector c5_0 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc) : FloatVector.zero(S);
        FloatVector c5_1 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc + L) : FloatVector.zero(S);
        FloatVector c6_0 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc) : FloatVector.zero(S);
        FloatVector c6_1 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc + L) : FloatVector.zero(S);
        FloatVector c7_0 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc) : FloatVector.zero(S);
        FloatVector c7_1 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc + L) : FloatVector.zero(S);
        FloatVector c8_0 = add ? FloatVector.fromArray(S, c, cRow + 8 * ldc) : FloatVector.zero(S);
        FloatVector c8_1 = add ? FloatVector.fromArray(S, c, cRow + 8 * ldc + L) : FloatVector.zero(S);
        FloatVector c9_0 = add ? FloatVector.fromArray(S, c, cRow + 9 * ldc) : FloatVector.zero(S);
        FloatVector c9_1 = add ? FloatVector.fromArray(S, c, cRow + 9 * ldc + L) : FloatVector.zero(S);
        FloatVector c10_0 = add ? FloatVector.fromArray(S, c, cRow + 10 * ldc) : FloatVector.zero(S);
        FloatVector c10_1 = add ? FloatVector.fromArray(S, c, cRow + 10 * ldc + L) : FloatVector.zero(S);
        FloatVector c11_0 = add ? FloatVector.fromArray(S, c, cRow + 11 * ldc) : FloatVector.zero(S);
        FloatVector c11_1 = add ? FloatVector.fromArray(S, c, cRow + 11 * ldc + L) : FloatVector.zero(S);
        FloatVector c12_0 = add ? FloatVector.fromArray(S, c, cRow + 12 * ldc) : FloatVector.zero(S);
        FloatVector c12_1 = add ? FloatVector.fromArray(S, c, cRow + 12 * ldc + L) : FloatVector.zero(S);
        FloatVector c13_0 = add ? FloatVector.fromArray(S, c, cRow + 13 * ldc) : FloatVector.zero(S);
        FloatVector c13_1 = add ? FloatVector.fromArray(S, c, cRow + 13 * ldc + L) : FloatVector.zero(S);
        for (int e = 0, bp = bRow; e < k; e++, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[ap + e]);
            c0_0 = b0.fma(x, c0_0);
            c0_1 = b1.fma(x, c0_1);
            x = FloatVector.broadcast(S, a[ap + lda + e]);
            c1_0 = b0.fma(x, c1_0);
            c1_1 = b1.fma(x, c1_1);
            x = FloatVector.broadcast(S, a[ap + 2 * lda + e]);
            c2_0 = b0.fma(x, c2_0);
            c2_1 = b1.fma(x, c2_1);
            x = FloatVector.broadcast(S, a[ap + 3 * lda + e]);
            c3_0 = b0.fma(x, c3_0);
            c3_1 = b1.fma(x, c3_1);
            x = FloatVector.broadcast(S, a[ap + 4 * lda + e]);
            c4_0 = b0.fma(x, c4_0);
            c4_1 = b1.fma(x, c4_1);
            x = FloatVector.broadcast(S, a[ap + 5 * lda + e]);
            c5_0 = b0.fma(x, c5_0);
            c5_1 = b1.fma(x, c5_1);
            x = FloatVector.broadcast(S, a[ap + 6 * lda + e]);
            c6_0 = b0.fma(x, c6_0);
            c6_1 = b1.fma(x, c6_1);
            x = FloatVector.broadcast(S, a[ap + 7 * lda + e]);
            c7_0 = b0.fma(x, c7_0);
            c7_1 = b1.fma(x, c7_1);
            x = FloatVector.broadcast(S, a[ap + 8 * lda + e]);
            c8_0 = b0.fma(x, c8_0);
            c8_1 = b1.fma(x, c8_1);
            x = FloatVector.broadcast(S, a[ap + 9 * lda + e]);
            c9_0 = b0.fma(x, c9_0);
            c9_1 = b1.fma(x, c9_1);
            x = FloatVector.broadcast(S, a[ap + 10 * lda + e]);
            c10_0 = b0.fma(x, c10_0);
            c10_1 = b1.fma(x, c10_1);
            x = FloatVector.broadcast(S, a[ap + 11 * lda + e]);
            c11_0 = b0.fma(x, c11_0);
            c11_1 = b1.fma(x, c11_1);
            x = FloatVector.broadcast(S, a[ap + 12 * lda + e]);
            c12_0 = b0.fma(x, c12_0);
            c12_1 = b1.fma(x, c12_1);
            x = FloatVector.broadcast(S, a[ap + 13 * lda + e]);
            c13_0 = b0.fma(x, c13_0);
            c13_1 = b1.fma(x, c13_1);
        }
        c0_0.intoArray(c, cRow);
        c0_1.intoArray(c, cRow + L);
        c1_0.intoArray(c, cRow + ldc);
        c1_1.intoArray(c, cRow + ldc + L);
        c2_0.intoArray(c, cRow + 2 * ldc);
        c2_1.intoArray(c, cRow + 2 * ldc + L);
        c3_0.intoArray(c, cRow + 3 * ldc);
        c3_1.intoArray(c, cRow + 3 * ldc + L);
        c4_0.intoArray(c, cRow + 4 * ldc);
        c4_1.intoArray(c, cRow + 4 * ldc + L);
        c5_0.intoArray(c, cRow + 5 * ldc);
        c5_1.intoArray(c, cRow + 5 * ldc + L);
        c6_0.intoArray(c, cRow + 6 * ldc);
        c6_1.intoArray(c, cRow + 6 * ldc + L);
        c7_0.intoArray(c, cRow + 7 * ldc);
        c7_1.intoArray(c, cRow + 7 * ldc + L);
        c8_0.intoArray(c, cRow + 8 * ldc);
        c8_1.intoArray(c, cRow + 8 * ldc + L);
        c9_0.intoArray(c, cRow + 9 * ldc);
        c9_1.intoArray(c, cRow + 9 * ldc + L);
        c10_0.intoArray(c, cRow + 10 * ldc);
        c10_1.intoArray(c, cRow + 10 * ldc + L);
        c11_0.intoArray(c, cRow + 11 * ldc);
        c11_1.intoArray(c, cRow + 11 * ldc + L);
        c12_0.intoArray(c, cRow + 12 * ldc);
        c12_1.intoArray(c, cRow + 12 * ldc + L);
        c13_0.intoArray(c, cRow + 13 * ldc);
        c13_1.intoArray(c, cRow + 13 * ldc + L);
    }

    /**
     * {@code C[14 rows from cRow, 1L columns] (+)= A[14 rows of lda from ap, k] B[k rows of ldb, the same columns]}:
     * 14 accumulators, started from C when {@code add}, else from zero.
     */
    private static void rows14x1(float[] a, int ap, int lda, int k, float[] b, int bRow, int ldb, float[] c, int cRow, int ldc, boolean add) {
        FloatVector c0_0 = add ? FloatVector.fromArray(S, c, cRow) : FloatVector.zero(S);
        FloatVector c1_0 = add ? FloatVector.fromArray(S, c, cRow + ldc) : FloatVector.zero(S);
        FloatVector c2_0 = add ? FloatVector.fromArray(S, c, cRow + 2 * ldc) : FloatVector.zero(S);
        FloatVector c3_0 = add ? FloatVector.fromArray(S, c, cRow + 3 * ldc) : FloatVector.zero(S);
        FloatVector c4_0 = add ? FloatVector.fromArray(S, c, cRow + 4 * ldc) : FloatVector.zero(S);
        FloatVector c5_0 = add ? FloatVector.fromArray(S, c, cRow + 5 * ldc) : FloatVector.zero(S);
        FloatVector c6_0 = add ? FloatVector.fromArray(S, c, cRow + 6 * ldc) : FloatVector.zero(S);
        FloatVector c7_0 = add ? FloatVector.fromArray(S, c, cRow + 7 * ldc) : FloatVector.zero(S);
        FloatVector c8_0 = add ? FloatVector.fromArray(S, c, cRow + 8 * ldc) : FloatVector.zero(S);
        FloatVector c9_0 = add ? FloatVector.fromArray(S, c, cRow + 9 * ldc) : FloatVector.zero(S);
        FloatVector c10_0 = add ? FloatVector.fromArray(S, c, cRow + 10 * ldc) : FloatVector.zero(S);
        FloatVector c11_0 = add ? FloatVector.fromArray(S, c, cRow + 11 * ldc) : FloatVector.zero(S);
        FloatVector c12_0 = add ? FloatVector.fromArray(S, c, cRow + 12 * ldc) : FloatVector.zero(S);
        FloatVector c13_0 = add ? FloatVector.fromArray(S, c, cRow + 13 * ldc) : FloatVector.zero(S);
        for (int e = 0, bp = bRow; e < k; e++, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector x = FloatVector.broadcast(S, a[ap + e]);
            c0_0 = b0.fma(x, c0_0);
            x = FloatVector.broadcast(S, a[ap + lda + e]);
            c1_0 = b0.fma(x, c1_0);
            x = FloatVector.broadcast(S, a[ap + 2 * lda + e]);
            c2_0 = b0.fma(x, c2_0);
            x = FloatVector.broadcast(S, a[ap + 3 * lda + e]);
            c3_0 = b0.fma(x, c3_0);
            x = FloatVector.broadcast(S, a[ap + 4 * lda + e]);
            c4_0 = b0.fma(x, c4_0);
            x = FloatVector.broadcast(S, a[ap + 5 * lda + e]);
            c5_0 = b0.fma(x, c5_0);
            x = FloatVector.broadcast(S, a[ap + 6 * lda + e]);
            c6_0 = b0.fma(x, c6_0);
            x = FloatVector.broadcast(S, a[ap + 7 * lda + e]);
            c7_0 = b0.fma(x, c7_0);
            x = FloatVector.broadcast(S, a[ap + 8 * lda + e]);
            c8_0 = b0.fma(x, c8_0);
            x = FloatVector.broadcast(S, a[ap + 9 * lda + e]);
            c9_0 = b0.fma(x, c9_0);
            x = FloatVector.broadcast(S, a[ap + 10 * lda + e]);
            c10_0 = b0.fma(x, c10_0);
            x = FloatVector.broadcast(S, a[ap + 11 * lda + e]);
            c11_0 = b0.fma(x, c11_0);
            x = FloatVector.broadcast(S, a[ap + 12 * lda + e]);
            c12_0 = b0.fma(x, c12_0);
            x = FloatVector.broadcast(S, a[ap + 13 * lda + e]);
            c13_0 = b0.fma(x, c13_0);
        }
        c0_0.intoArray(c, cRow);
        c1_0.intoArray(c, cRow + ldc);
        c2_0.intoArray(c, cRow + 2 * ldc);
        c3_0.intoArray(c, cRow + 3 * ldc);
        c4_0.intoArray(c, cRow + 4 * ldc);
        c5_0.intoArray(c, cRow + 5 * ldc);
        c6_0.intoArray(c, cRow + 6 * ldc);
        c7_0.intoArray(c, cRow + 7 * ldc);
        c8_0.intoArray(c, cRow + 8 * ldc);
        c9_0.intoArray(c, cRow + 9 * ldc);
        c10_0.intoArray(c, cRow + 10 * ldc);
        c11_0.intoArray(c, cRow + 11 * ldc);
        c12_0.intoArray(c, cRow + 12 * ldc);
        c13_0.intoArray(c, cRow + 13 * ldc);
    }
}
