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
 * loads of B per k) on A packed in panels of 14 rows (the broadcasts of one k consecutive), or of 8
 * rows x 2 vectors on a row-major A ({@link #panels} picks), a 1-vector tile for an odd last vector;
 * k in blocks of {@link #KC}, so that B's panel of a block stays in L1 across all row blocks. On 2
 * threads, 36 gemms [m, k] x [k, n] at once as in Winograd, A from memory: n = 128: 14 x 2 on
 * panels 225 GFLOP/s, 14 x 2 on rows 206, 8 x 2 on rows 178; n = 512: 205, 178, 171; n = 32: 166,
 * 185, 182 (15 x 2 and more spill registers). Every element of C is one fma chain over k in order: deterministic, and the same
 * whatever the blocking, the tile or the thread.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of a panel of A and of its register tiles: {@link #multiply}'s m is a multiple of it when A is in panels. */
    static final int ROWS = 14;
    /** Rows of the register tiles on a row-major A: m is a multiple of it then. */
    static final int ROWS_UNPACKED = 8;

    /** Rows of {@link #multiply}'s register tiles on A in panels or row-major: m is a multiple of it. */
    static int tileRows(boolean panels) {
        return panels ? ROWS : ROWS_UNPACKED;
    }

    private VectorGemm() {
    }

    /** Depth of a k block: B's panel of a block, KC x 2L floats (32 KB), stays in L1 across all rows of A. */
    static final int KC = 256;

    /**
     * Whether {@link #multiply} should read A in panels for products of n columns: from 4 vectors,
     * where each panel is read for several column tiles. At n = 2L (SD 1.5's 16x16 maps, batch 2) A
     * streams through once, and 14 rows read where they lie ran faster (185 vs 166 GFLOP/s on 2
     * threads, 36 gemms of [1288, 1280] x [1280, 32]; at n = 128, 206 vs 225). The rows take the
     * 8-row tiles: a 14-row tile with its 14 row offsets measured as fast, but C1 could not compile
     * it at tier 3 on stack replacement ("out of virtual registers in linear scan") in about one run
     * of four, which left it in tier-2 code, with every vector boxed, 30x slower for the rest of the
     * run. The panel tile, without the offsets, compiled at every tier in every run seen.
     */
    static boolean panels(int n) {
        return n >= 4 * L;
    }

    /**
     * {@code c [m, n] = a [m, k] b [k, n]}, heap, row-major B and C from offsets {@code bAt} and
     * {@code cAt}; A from {@code aAt}, row-major, or when {@code panels} in panels of {@link #ROWS}
     * rows: panel p holds rows {@code 14 p .. 14 p + 13} as [k, 14] (element (i, e) at
     * {@code aAt + (i / 14) 14 k + 14 e + i % 14}), so that a tile's 14 broadcasts for one k are one
     * run of memory; m a multiple of 14 on panels, of 8 on rows, n of L. By blocks of {@link #KC} of k: each tile carries its
     * sums through C from one block to the next, which rounds nothing (a float stored and loaded is
     * the same float), so the result is one fma chain over k in order, whatever KC and the layout.
     */
    static void multiply(float[] a, int aAt, int m, int k, boolean panels, float[] b, int bAt, int n, float[] c, int cAt) {
        multiply(a, aAt, m, k, panels, b, bAt, n, c, cAt, false);
    }

    /**
     * {@code c (+)= a b}: the same, adding to C's values when {@code accumulate}. The sums carry on
     * C's chains: k split over calls that accumulate gives the bits of one call over the whole k.
     */
    static void multiply(float[] a, int aAt, int m, int k, boolean panels, float[] b, int bAt, int n, float[] c, int cAt, boolean accumulate) {
        int rows = tileRows(panels);
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            boolean add = accumulate || k0 > 0;
            int j0 = 0;
            for (; j0 + 2 * L <= n; j0 += 2 * L) {
                for (int i0 = 0; i0 < m; i0 += rows) {
                    if (panels) {
                        panel14x2(a, aAt + i0 * k + k0 * ROWS, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                    } else {
                        tile8x2(a, aAt + i0 * k + k0, k, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                    }
                }
            }
            if (j0 < n) {
                for (int i0 = 0; i0 < m; i0 += rows) {
                    if (panels) {
                        panel14x1(a, aAt + i0 * k + k0 * ROWS, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
                    } else {
                        tile8x1(a, aAt + i0 * k + k0, k, kc, b, bAt + k0 * n + j0, n, c, cAt + i0 * n + j0, n, add);
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
