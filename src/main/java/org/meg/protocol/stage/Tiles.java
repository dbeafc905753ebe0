package org.meg.protocol.stage;

import java.util.ArrayList;
import java.util.List;
import org.meg.sampling.NoiseSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Cooperative generation without joint training (UIDCG, DCSUC): a value is cut into N vertical
 * strips that overlap by a halo, each ES generates its strip from the same global noise field
 * (cropped to the strip, so neighbours see identical inputs in the overlap), and the UE merges the
 * strips with a linear cross-fade across each overlap. Strip borders and halos are multiples of
 * {@code align} columns (8 for images, so that each strip still encodes to whole latents).
 */
public final class Tiles {
    private Tiles() {
    }

    /** Cuts [B, C, H, W] into n strips with {@code halo} extra columns on each inner side. */
    public static List<Part> split(INDArray x, int n, int halo, int align) {
        int w = (int) x.size(3);
        if (n < 1) {
            throw new IllegalArgumentException("number of parts must be >= 1, got " + n);
        }
        if (w / align < n) {
            throw new IllegalArgumentException("width " + w + " cannot be split into " + n + " parts of "
                    + align + "-column units");
        }
        if (halo < 0 || halo % align != 0) {
            throw new IllegalArgumentException("halo " + halo + " must be a non-negative multiple of " + align);
        }
        int units = w / align;
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int coreStart = (int) Math.round((double) i * units / n) * align;
            int coreEnd = i == n - 1 ? w : (int) Math.round((double) (i + 1) * units / n) * align;
            int start = Math.max(0, coreStart - halo);
            int end = Math.min(w, coreEnd + halo);
            Tile t = new Tile(i, start, end, coreStart, coreEnd, w);
            parts.add(new Part(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(start, end)).dup('c'), t));
        }
        return parts;
    }

    /** A strip and its place. */
    public record Part(INDArray tensor, Tile tile) {
    }

    /**
     * Merges strips whose resolution may have changed since the split (decoded seeds are 8x wider,
     * sketches half as wide): scale = strip width / tile width, the same for every strip. Weights
     * are 1 in a strip's own columns and fall linearly to 0 across each overlap; the result is
     * the weight-normalised sum.
     */
    public static INDArray merge(List<Part> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        Tile t0 = parts.get(0).tile();
        double scale = (double) parts.get(0).tensor().size(3) / t0.width();
        long b = parts.get(0).tensor().size(0);
        long c = parts.get(0).tensor().size(1);
        long h = parts.get(0).tensor().size(2);
        int outW = (int) Math.round(t0.fullWidth() * scale);
        float[] weightSum = new float[outW];
        INDArray acc = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, b, c, h, outW);
        for (Part p : parts) {
            Tile t = p.tile();
            int pw = (int) p.tensor().size(3);
            if (Math.abs((double) pw / t.width() - scale) > 1e-9 || p.tensor().size(2) != h) {
                throw new IllegalArgumentException("part " + t.index() + " has width " + pw + " for a tile of "
                        + t.width() + " columns; other parts scale by " + scale);
            }
            int off = (int) Math.round(t.start() * scale);
            float[] wgt = new float[pw];
            for (int j = 0; j < pw; j++) {
                double col = t.start() + (j + 0.5) / scale;           // centre of column j in split units
                wgt[j] = (float) weight(col, t);
                weightSum[off + j] += wgt[j];
            }
            INDArray wv = Nd4j.create(wgt, new long[] {1, 1, 1, pw}, 'c');
            acc.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(off, off + pw))
                    .addi(p.tensor().mul(wv));
        }
        for (int j = 0; j < outW; j++) {
            if (!(weightSum[j] > 0)) {
                throw new IllegalArgumentException("column " + j + " is covered by no part");
            }
            weightSum[j] = 1f / weightSum[j];
        }
        return acc.muli(Nd4j.create(weightSum, new long[] {1, 1, 1, outW}, 'c'));
    }

    /** 1 inside the core; a linear ramp to 0 over [coreEnd - halo, coreEnd + halo] and its mirror. */
    static double weight(double col, Tile t) {
        double left = t.coreStart() - t.start();
        double right = t.end() - t.coreEnd();
        double wl = 1.0;
        double wr = 1.0;
        if (t.start() > 0 && left > 0) {
            wl = clamp((col - (t.coreStart() - left)) / (2 * left));
        }
        if (t.end() < t.fullWidth() && right > 0) {
            wr = clamp(((t.coreEnd() + right) - col) / (2 * right));
        }
        return Math.min(wl, wr);
    }

    private static double clamp(double v) {
        return Math.max(1e-6, Math.min(1.0, v));
    }

    /**
     * Noise for a strip cut from the global field that an unsplit run would draw: every strip
     * sees the same noise in shared columns.
     */
    public static NoiseSource cropped(NoiseSource global, Tile tile) {
        return (name, shape) -> {
            long w = shape[shape.length - 1];
            double scale = (double) w / tile.width();
            long[] full = shape.clone();
            full[full.length - 1] = Math.round(tile.fullWidth() * scale);
            long off = Math.round(tile.start() * scale);
            return global.normal(name, full).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(off, off + w)).dup('c');
        };
    }

    /**
     * Seam visibility: mean |horizontal gradient| across the seam columns divided by its mean over
     * all columns. About 1 when the seams are invisible; well above 1 at a hard edge.
     */
    public static double seamRatio(INDArray image, List<Integer> seamColumns) {
        INDArray d = image.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, image.size(3)))
                .sub(image.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, image.size(3) - 1)));
        INDArray a = org.nd4j.linalg.ops.transforms.Transforms.abs(d, false);     // [B, C, H, W-1], a[..., j] = |x_{j+1} - x_j|
        double all = a.meanNumber().doubleValue();
        double seam = 0;
        for (int col : seamColumns) {
            seam += a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(col - 1)).meanNumber().doubleValue();
        }
        seam /= seamColumns.size();
        return all > 0 ? seam / all : 1.0;
    }
}
