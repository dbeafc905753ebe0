package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FusedKernels} on the JDK Vector API: each row is copied into a thread's heap buffer (it
 * then sits in L1), padded to whole vectors, processed in {@code FloatVector} lanes, and copied back;
 * rows run in parallel on the common fork-join pool. Loaded by {@link FusedKernels#get} only when
 * the JVM resolved {@code jdk.incubator.vector}.
 *
 * <p>Deterministic by construction: only operations that IEEE 754 defines exactly (add, mul, fma,
 * div, min/max, compares, bit reinterpretation), with sums reduced across lanes in a fixed order.
 * The Vector API's own {@code EXP} and floating-point {@code reduceLanes(ADD)} are avoided: the
 * JIT-compiled code (SVML, a tree reduction) and the interpreter's fallback round differently, so a
 * result would depend on whether the method had been compiled yet.
 */
final class VectorKernels extends FusedKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Below this many elements a call runs on the calling thread: fork-join costs more than it saves. */
    private static final long PARALLEL_MIN = 1 << 15;
    private static final ThreadBuffers ROWS = new ThreadBuffers(2);
    /** A thread's lanes scratch for {@link #sum}: the reduction allocates nothing (a 512x512 step sums ~10^6 vectors). */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[S.length()]);
    private static final float INV_SQRT2 = (float) Math.sqrt(0.5);
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, kept in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    /** -127 ln 2: the clamp at which {@link #expShifted} builds 2^-127 as +0. */
    private static final float EXP_ZERO = -88.02969f;
    private static final float EXP_MAX = 88.37626f;                 // 127.5 ln 2: n stays <= 127
    private static final int SIGN = 0x80000000;
    private static final int EXP_MAX_BITS = Float.floatToRawIntBits(EXP_MAX);
    private static final int EXP_ZERO_FLIPPED = Float.floatToRawIntBits(EXP_ZERO) ^ SIGN;
    private static final int ERF_MAX_BITS = Float.floatToRawIntBits(4f);
    private static final float LOG2E = 1.44269504f;
    private static final int EXP2_MAX_BITS = Float.floatToRawIntBits(127f);
    // 2^f = 1 + f (C0 + f (C1 + ... + f C5)) on [-1/2, 1/2], least squares reweighted to near-minimax relative error
    private static final float EXP2_C0 = 0.6931471824645996f;
    private static final float EXP2_C1 = 0.24022647738456726f;
    private static final float EXP2_C2 = 0.05550329014658928f;
    private static final float EXP2_C3 = 0.009618373587727547f;
    private static final float EXP2_C4 = 0.0013399843592196703f;
    private static final float EXP2_C5 = 0.00015370720939245075f;
    // ln 2 = LN2_HI + LN2_LO, LN2_HI with 16 significant bits so that n * LN2_HI is exact for |n| <= 128
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187e-06f;
    // erf(x) ~ x P(x^2) / Q(x^2) on [-4, 4] (|erf| rounds to 1 beyond): a rational minimax fit with
    // max abs error 4.2e-7 against the exact erf in float arithmetic, checked in VectorKernelsTest.
    private static final float[] ERF_P = {-1.60960333262415e-02f, -2.95459980854025e-03f, -7.34990630326855e-04f,
        -5.69250639462346e-05f, -2.10102402082508e-06f, 2.77068142495902e-08f, -2.72614225801306e-10f};
    private static final float[] ERF_Q = {-1.42647390514189e-02f, -7.37332916720468e-03f, -1.68282697438203e-03f,
        -2.13374055278905e-04f, -1.45660718464996e-05f};

    @Override
    public String name() {
        return "vector-api (" + S.length() + " float lanes)";
    }

    @Override
    public void softmaxRows(INDArray x) {
        requireRowMajor(x, "softmaxRows");
        int rows = (int) x.size(0);
        int n = (int) x.size(1);
        long rowStride = x.stride(0);
        FloatBuffer buf = x.data().asNioFloat();
        long base = x.offset();
        int padded = padded(n);
        rowRange(rows, (long) rows * n).forEach(r -> {
            float[] v = ROWS.get(0, padded);
            int at = (int) (base + r * rowStride);
            buf.get(at, v, 0, n);
            Arrays.fill(v, n, padded, Float.NEGATIVE_INFINITY);      // e^-inf = 0: the padding adds nothing
            softmax(v, padded);
            buf.put(at, v, 0, n);
        });
    }

    /** {@code -Dmeg.fusedAttention=false} runs every attention as the gemm pair (for A/B measurements). */
    static volatile boolean fusedAttention = !"false".equals(System.getProperty("meg.fusedAttention"));

    @Override
    public INDArray attend(INDArray q, INDArray k, INDArray v, int heads, boolean causal) {
        return fusedAttention && q.size(2) / heads <= FUSED_HEAD_DIM_MAX ? VectorAttention.attend(q, k, v, heads, causal) : Attention.unfused(q, k, v, heads, causal);
    }

    @Override
    public INDArray geglu(INDArray projected, float[] bias) {
        requireRowMajor(projected, "geglu");
        requireGateBias(projected, bias);
        int rows = (int) projected.size(0);
        int inner = (int) (projected.size(1) / 2);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, rows, inner);
        FloatBuffer in = projected.data().asNioFloat();
        FloatBuffer dst = out.data().asNioFloat();
        long inBase = projected.offset();
        long inStride = projected.stride(0);
        long outBase = out.offset();
        int padded = padded(inner);
        float[] b = new float[2 * padded];                                  // [value bias | 0.. | gate bias | 0..]
        if (bias != null) {
            System.arraycopy(bias, 0, b, 0, inner);
            System.arraycopy(bias, inner, b, padded, inner);
        }
        rowRange(rows, (long) rows * inner).forEach(r -> {
            float[] p = ROWS.get(0, 2 * padded);                            // [value | 0.. | gate | 0..]
            float[] o = ROWS.get(1, padded);
            int at = (int) (inBase + r * inStride);
            in.get(at, p, 0, inner);
            in.get(at + inner, p, padded, inner);
            Arrays.fill(p, inner, padded, 0f);
            Arrays.fill(p, padded + inner, 2 * padded, 0f);
            gatedGelu(p, b, padded, o);
            dst.put((int) (outBase + (long) r * inner), o, 0, inner);
        });
        return out;
    }

    /**
     * Per row, copied into a heap buffer padded with zeros to whole vectors: the mean (float lanes
     * summed in order into a double), then the sum of squared deviations from it over the row's
     * {@code dim} values (the padding is masked out by subtracting its share, {@code pad mean^2}),
     * then {@code (x - mean) rstd gamma + beta} in lanes.
     */
    @Override
    public INDArray layerNormRows(INDArray x, float[] gamma, float[] beta, double eps) {
        requireRowMajor(x, "layerNormRows");
        int rows = (int) x.size(0);
        int dim = (int) x.size(1);
        if (dim != gamma.length || dim != beta.length) {
            throw new IllegalArgumentException("LayerNorm over " + gamma.length + " features got rows of " + dim);
        }
        int padded = padded(dim);
        float[] g = Arrays.copyOf(gamma, padded);
        float[] b = Arrays.copyOf(beta, padded);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, rows, dim);
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer dst = out.data().asNioFloat();
        long inBase = x.offset();
        long inStride = x.stride(0);
        long outBase = out.offset();
        rowRange(rows, (long) rows * dim).forEach(r -> {
            float[] v = ROWS.get(0, padded);
            float[] lanes = LANES.get();
            in.get((int) (inBase + r * inStride), v, 0, dim);
            Arrays.fill(v, dim, padded, 0f);
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < padded; j += S.length()) {
                acc = acc.add(FloatVector.fromArray(S, v, j));
            }
            float mean = (float) ((double) sum(acc, lanes) / dim);
            FloatVector m = FloatVector.broadcast(S, mean);
            FloatVector sq = FloatVector.zero(S);
            for (int j = 0; j < padded; j += S.length()) {
                FloatVector d = FloatVector.fromArray(S, v, j).sub(m);
                sq = d.fma(d, sq);
            }
            double squares = sum(sq, lanes) - (double) (padded - dim) * mean * mean;   // padding: (0 - mean)^2 each
            float rstd = (float) (1.0 / Math.sqrt(Math.max(0.0, squares / dim) + eps));
            for (int j = 0; j < padded; j += S.length()) {
                FloatVector.fromArray(S, v, j).sub(m).mul(rstd)
                        .fma(FloatVector.fromArray(S, g, j), FloatVector.fromArray(S, b, j)).intoArray(v, j);
            }
            dst.put((int) (outBase + (long) r * dim), v, 0, dim);
        });
        return out;
    }

    /**
     * The block's whole vectors in one look, about a shift k close to the mean (the running mean
     * once there is one, else the mean of the block's first vector): {@code sum(x - k)} and
     * {@code sum((x - k)^2)} in float lanes, two accumulator chains each, then the block's mean
     * {@code k + s1 / n} and {@code M2 = s2 - s1^2 / n} in double, merged by {@link #mergeMoments}.
     * With k within a fraction of a standard deviation of the mean the subtraction loses nothing
     * that matters (no {@code E[x^2] - E[x]^2} about zero). The tail of fewer than a vector by
     * Welford's update.
     */
    @Override
    void addMoments(float[] v, int from, int n, double[] moments) {
        int whole = S.loopBound(n);
        if (whole > 0) {
            int end = from + whole;
            float[] lanes = LANES.get();
            float shift = moments[0] > 0 ? (float) moments[1] : sum(FloatVector.fromArray(S, v, from), lanes) / S.length();
            FloatVector k = FloatVector.broadcast(S, shift);
            FloatVector d0 = FloatVector.zero(S);
            FloatVector d1 = FloatVector.zero(S);
            FloatVector q0 = FloatVector.zero(S);
            FloatVector q1 = FloatVector.zero(S);
            int i = from;
            for (; i + 2 * S.length() <= end; i += 2 * S.length()) {     // two chains: an add's latency is 4 cycles
                FloatVector x = FloatVector.fromArray(S, v, i).sub(k);
                FloatVector y = FloatVector.fromArray(S, v, i + S.length()).sub(k);
                d0 = d0.add(x);
                d1 = d1.add(y);
                q0 = x.fma(x, q0);
                q1 = y.fma(y, q1);
            }
            if (i < end) {
                FloatVector x = FloatVector.fromArray(S, v, i).sub(k);
                d0 = d0.add(x);
                q0 = x.fma(x, q0);
            }
            double dsum = sum(d0.add(d1), lanes);
            mergeMoments(moments, whole, shift + dsum / whole, sum(q0.add(q1), lanes) - dsum * dsum / whole);
        }
        for (int j = from + whole; j < from + n; j++) {                         // the tail, one value at a time (Welford)
            double count = moments[0] + 1;
            double delta = v[j] - moments[1];
            moments[0] = count;
            moments[1] += delta / count;
            moments[2] += delta * (v[j] - moments[1]);
        }
    }

    @Override
    void affine(float[] v, int from, int n, float scale, float shift, boolean silu) {
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector hv = FloatVector.broadcast(S, shift);
        float[] scratch = silu ? SILU.get() : null;
        for (int i = from, end = from + n; i < end; ) {                         // chunks of SILU_CHUNK, in L1 for the SiLU
            int chunkEnd = Math.min(end, i + SILU_CHUNK);
            int start = i;
            for (int bound = i + S.loopBound(chunkEnd - i); i < bound; i += S.length()) {
                FloatVector.fromArray(S, v, i).fma(sv, hv).intoArray(v, i);
            }
            for (; i < chunkEnd; i++) {
                v[i] = Math.fma(v[i], scale, shift);
            }
            if (silu) {
                siluChunk(v, start, chunkEnd, scratch);
            }
        }
    }

    /** Values per SiLU chunk of {@link #affine} (4 KB), a multiple of every lane count. */
    private static final int SILU_CHUNK = 1024;
    /** A thread's SiLU scratch: e^-z for one chunk, then one vector of zeros (the shift) and one of sums. */
    private static final ThreadLocal<float[]> SILU = ThreadLocal.withInitial(() -> new float[SILU_CHUNK + 2 * S.length()]);

    /**
     * {@code v[from, end) = z / (1 + e^-z)} for z = v (SiLU, {@code z sigmoid(z)}), at most
     * {@link #SILU_CHUNK} values: {@code -z} into the scratch (zeros past the end, to a whole
     * vector), e^-z there by {@link #expShifted} with a zero shift, then one exactly rounded add and
     * divide per lane. Large negative z: e^-z is capped near 2.4e38, so z / (1 + e^-z) is a tiny
     * negative number where the exact SiLU is a tinier one; NaN stays NaN (z is its numerator).
     */
    private static void siluChunk(float[] v, int from, int end, float[] t) {
        int count = end - from;
        int whole = S.loopBound(count);
        int padded = whole == count ? count : whole + S.length();
        for (int j = 0; j < whole; j += S.length()) {
            FloatVector.fromArray(S, v, from + j).neg().intoArray(t, j);
        }
        for (int j = whole; j < padded; j++) {
            t[j] = j < count ? -v[from + j] : 0f;
        }
        expShifted(t, 0, padded, S.length(), t, SILU_CHUNK, t, SILU_CHUNK + S.length());   // zeros at SILU_CHUNK: never written
        for (int j = 0; j < whole; j += S.length()) {
            FloatVector z = FloatVector.fromArray(S, v, from + j);
            z.div(FloatVector.fromArray(S, t, j).add(1f)).intoArray(v, from + j);
        }
        for (int j = whole; j < count; j++) {
            v[from + j] = v[from + j] / (1f + t[j]);
        }
    }

    private static IntStream rowRange(int rows, long elements) {
        IntStream r = IntStream.range(0, rows);
        return elements >= PARALLEL_MIN ? r.parallel() : r;
    }

    /** {@code n} rounded up to whole vectors: rows are padded instead of masked (JDK 17 does not compile masked AVX-512 loads). */
    private static int padded(int n) {
        return (n + S.length() - 1) / S.length() * S.length();
    }

    /**
     * One row in place, {@code n} a whole number of vectors: max, {@code e = exp(v - max)} and its
     * sum, {@code v = e / sum}. A row whose max is not finite (a NaN in it, +inf, or every entry
     * -inf) becomes NaN, as {@code exp(v - max) / sum} is in exact arithmetic (and PyTorch's softmax).
     */
    static void softmax(float[] v, int n) {
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j += S.length()) {
            mv = mv.max(FloatVector.fromArray(S, v, j));                // NaN wins Java's max
        }
        float max = mv.reduceLanes(VectorOperators.MAX);                // exact in any order
        if (!Float.isFinite(max)) {
            Arrays.fill(v, 0, n, Float.NaN);
            return;
        }
        float[] lanes = LANES.get();
        Arrays.fill(lanes, max);
        expShifted(v, 0, n, S.length(), lanes, 0, lanes, 0);            // the lanes' sums replace the shift
        float inv = 1f / sum(lanes);
        for (int j = 0; j < n; j += S.length()) {
            FloatVector.fromArray(S, v, j).mul(inv).intoArray(v, j);
        }
    }

    /** The lanes' sum, added in lane order (see the class comment). */
    private static float sum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        return sum(lanes);
    }

    /** The lanes' sum, added in lane order. */
    private static float sum(float[] lanes) {
        float s = 0f;
        for (float lane : lanes) {
            s += lane;
        }
        return s;
    }

    /**
     * {@code a[p .. p + L) = e^(a[p .. p + L) - shift[shiftAt ..])} for p = from, from + step, ...
     * below {@code end}, and {@code sums[sumAt ..] = } the lanes' sums of the results, added in that
     * order ({@code shift} and {@code sums} may be the same array: the shift is read first).
     *
     * <p>e^x within 1.3 ulp (VectorKernelsTest): {@code x = n ln2 + r} with n the nearest integer
     * to {@code x log2 e} and |r| <= ln2 / 2 (Cody-Waite, ln 2 in two parts), {@code e^r} by its
     * degree-7 Taylor polynomial (truncation 5e-9 relative), {@code 2^n} built in the exponent bits.
     * x is clamped to [{@link #EXP_ZERO}, {@link #EXP_MAX}]: at the low end n = -127, whose exponent
     * field is 0, so {@code 2^n} is +0 and e^x is 0 (below ~-87.7, where e^x is under the smallest
     * normal float anyway), with no blend; at the top e^x ~ 2.4e38, the largest 2^n there is. -inf
     * gives 0, +inf the top value; a NaN lane gives a number, not NaN (the callers check).
     *
     * <p>The clamps compare the floats' bits as integers: as signed integers the bits of
     * non-negative floats are in float order and below every negative float's, so a signed min caps
     * the top; with the sign bit flipped, signed order is the bits' unsigned order, in which
     * non-negative floats come first and negative ones in order of magnitude, so a min there raises
     * the bottom (-inf included). JDK 17 compiles {@code FloatVector.max/min} to a compare-and-blend
     * sequence for Java's NaN and signed-zero rules, which measured half of exp's time.
     *
     * <p>The whole loop is one method with exp written out in it: as a separate call, C2 sometimes
     * compiled exp out of line at a hot site ("callee is too large", from an early profile) and then
     * boxed every vector, ~20x slower. Vectors go in and out through arrays for the same reason: a
     * vector argument of a call that is not inlined is boxed.
     */
    static void expShifted(float[] a, int from, int end, int step, float[] shift, int shiftAt, float[] sums, int sumAt) {
        FloatVector sub = FloatVector.fromArray(S, shift, shiftAt);
        FloatVector sum = FloatVector.zero(S);
        for (int p = from; p < end; p += step) {
            FloatVector x = FloatVector.fromArray(S, a, p).sub(sub);
            IntVector bits = x.reinterpretAsInts().min(EXP_MAX_BITS);
            FloatVector c = bits.lanewise(VectorOperators.XOR, SIGN).min(EXP_ZERO_FLIPPED).lanewise(VectorOperators.XOR, SIGN).reinterpretAsFloats();
            FloatVector rounded = c.mul(LOG2E).add(ROUNDER);                // n in the low mantissa bits
            FloatVector n = rounded.sub(ROUNDER);
            FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), c);
            r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector q = FloatVector.broadcast(S, 1f / 5040);
            q = q.fma(r, FloatVector.broadcast(S, 1f / 720));
            q = q.fma(r, FloatVector.broadcast(S, 1f / 120));
            q = q.fma(r, FloatVector.broadcast(S, 1f / 24));
            q = q.fma(r, FloatVector.broadcast(S, 1f / 6));
            q = q.fma(r, FloatVector.broadcast(S, 0.5f));
            q = q.fma(r, FloatVector.broadcast(S, 1f));
            q = q.fma(r, FloatVector.broadcast(S, 1f));
            FloatVector twoToN = rounded.reinterpretAsInts().add(127 - ROUNDER_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = q.mul(twoToN);
            e.intoArray(a, p);
            sum = sum.add(e);
        }
        sum.intoArray(sums, sumAt);
    }

    /**
     * {@code a[p .. p + L) = 2^(a[p .. p + L) - shift[shiftAt ..])} for p = from, from + step, ...
     * below {@code end}, where every value is at or below its lane's shift (softmax's exps, in base
     * 2, with the max as the shift), and {@code sums[sumAt ..] = } the lanes' sums of the results,
     * added in that order ({@code shift} and {@code sums} may be the same array).
     *
     * <p>With {@code x = shift - a >= 0} clamped to 127, n the nearest integer to x and
     * {@code f = n - x} in [-1/2, 1/2]: {@code 2^-x = 2^f 2^-n}, {@code 2^f} by a degree-6
     * polynomial with constant term 1 (fitted for relative error, within 1 ulp in float), {@code 2^-n}
     * built in the exponent bits: at n = 127 the exponent field is 0, so the result is +0 for x
     * above 126.5 and for +inf (a value of -inf under a finite shift). 8 fewer vector operations
     * than {@link #expShifted}: one subtraction gives x, one signed integer min on its bits clamps it
     * (non-negative floats are in integer order), and there is no log2(e) scaling, since the callers
     * scale the scores by it. A value above its shift gives a wrong number, a NaN anything: the callers
     * make a row with no finite max NaN.
     */
    static void exp2Below(float[] a, int from, int end, int step, float[] shift, int shiftAt, float[] sums, int sumAt) {
        FloatVector top = FloatVector.fromArray(S, shift, shiftAt);
        FloatVector sum = FloatVector.zero(S);
        for (int p = from; p < end; p += step) {
            FloatVector x = top.sub(FloatVector.fromArray(S, a, p));
            FloatVector c = x.reinterpretAsInts().min(EXP2_MAX_BITS).reinterpretAsFloats();
            FloatVector rounded = c.add(ROUNDER);                              // n in the low mantissa bits
            FloatVector f = rounded.sub(ROUNDER).sub(c);
            FloatVector q = FloatVector.broadcast(S, EXP2_C5);
            q = q.fma(f, FloatVector.broadcast(S, EXP2_C4));
            q = q.fma(f, FloatVector.broadcast(S, EXP2_C3));
            q = q.fma(f, FloatVector.broadcast(S, EXP2_C2));
            q = q.fma(f, FloatVector.broadcast(S, EXP2_C1));
            q = q.fma(f, FloatVector.broadcast(S, EXP2_C0));
            q = q.fma(f, FloatVector.broadcast(S, 1f));
            IntVector bits = rounded.reinterpretAsInts();
            IntVector exponent = bits.broadcast(127 + ROUNDER_BITS).sub(bits);          // 127 - n
            FloatVector e = q.mul(exponent.lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e.intoArray(a, p);
            sum = sum.add(e);
        }
        sum.intoArray(sums, sumAt);
    }

    /**
     * e^x lane by lane: {@link #expShifted} on one vector with a zero shift ({@code x - 0} is x, bit
     * for bit), for tests and one-off vectors; loops call {@link #expShifted}.
     */
    static FloatVector exp(FloatVector x) {
        float[] a = new float[3 * S.length()];                          // [x | shift 0 | sums]
        x.intoArray(a, 0);
        expShifted(a, 0, S.length(), S.length(), a, S.length(), a, 2 * S.length());
        return FloatVector.fromArray(S, a, 0);
    }

    /**
     * {@code o[j] = v * gelu(g)} with {@code v = p[j] + b[j]}, {@code g = p[inner + j] + b[inner + j]},
     * {@code inner} a whole number of vectors; GELU exact: {@code 0.5 g (1 + erf(g / sqrt 2))}.
     */
    static void gatedGelu(float[] p, float[] b, int inner, float[] o) {
        for (int j = 0; j < inner; j += S.length()) {
            FloatVector g = FloatVector.fromArray(S, p, inner + j).add(FloatVector.fromArray(S, b, inner + j));
            FloatVector gelu = g.mul(0.5f).mul(erf(g.mul(INV_SQRT2)).add(1f));
            FloatVector.fromArray(S, p, j).add(FloatVector.fromArray(S, b, j)).mul(gelu).intoArray(o, j);
        }
    }

    /**
     * erf, lane by lane: {@code x P(x^2) / Q(x^2)} with x clamped to [-4, 4], on its bits as in
     * {@link #expShifted} (|x| capped by a signed min of the magnitude bits, the sign put back); a NaN
     * lane gives +-1, not NaN ({@link #gatedGelu} multiplies by the unclamped value, which keeps it NaN).
     */
    static FloatVector erf(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        IntVector magnitude = bits.lanewise(VectorOperators.AND, ~SIGN).min(ERF_MAX_BITS);
        FloatVector c = magnitude.lanewise(VectorOperators.OR, bits.lanewise(VectorOperators.AND, SIGN)).reinterpretAsFloats();
        FloatVector x2 = c.mul(c);
        FloatVector p = FloatVector.broadcast(S, ERF_P[ERF_P.length - 1]);
        for (int i = ERF_P.length - 2; i >= 0; i--) {
            p = p.fma(x2, FloatVector.broadcast(S, ERF_P[i]));
        }
        FloatVector q = FloatVector.broadcast(S, ERF_Q[ERF_Q.length - 1]);
        for (int i = ERF_Q.length - 2; i >= 0; i--) {
            q = q.fma(x2, FloatVector.broadcast(S, ERF_Q[i]));
        }
        return c.mul(p).div(q);
    }
}
