package org.meg.metrics;

/**
 * Structural similarity, Wang, Bovik, Sheikh and Simoncelli, "Image quality assessment: from
 * error visibility to structural similarity", IEEE TIP 13(4), 2004, eq. (13):
 * <pre>
 *   SSIM(x, y) = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))
 *   C1 = (K1 R)^2,  C2 = (K2 R)^2
 * </pre>
 * Local statistics are weighted by a normalised Gaussian window ({@code 11 x 11}, sigma 1.5 in
 * {@link #wang2004()}); variances and covariance are the biased weighted moments
 * {@code E[x^2] - mu^2}. The map is computed only where the window fits ("valid", as the
 * authors' {@code ssim_index.m}), with no down-sampling; its mean is the channel's SSIM, and
 * colour images average the per-channel values.
 */
public final class Ssim {
    private final double[] window;
    private final double k1;
    private final double k2;

    private Ssim(double[] window, double k1, double k2) {
        this.window = window;
        this.k1 = k1;
        this.k2 = k2;
    }

    /** Window 11, sigma 1.5, K1 = 0.01, K2 = 0.03. */
    public static Ssim wang2004() {
        return of(11, 1.5, 0.01, 0.03);
    }

    /** A Gaussian window of odd {@code size} and {@code sigma}, with constants {@code k1}, {@code k2}. */
    public static Ssim of(int size, double sigma, double k1, double k2) {
        if (size < 1 || size % 2 == 0) {
            throw new IllegalArgumentException("window size must be odd and >= 1, got " + size);
        }
        if (!(sigma > 0) || !(k1 > 0) || !(k2 > 0)) {
            throw new IllegalArgumentException("sigma, K1, K2 must be > 0, got " + sigma + ", " + k1 + ", " + k2);
        }
        double[] g = new double[size];
        double sum = 0;
        int r = size / 2;
        for (int i = 0; i < size; i++) {
            g[i] = Math.exp(-(i - r) * (i - r) / (2 * sigma * sigma));
            sum += g[i];
        }
        for (int i = 0; i < size; i++) {
            g[i] /= sum;  // 1-D weights sum to 1, so the separable 2-D window does too
        }
        return new Ssim(g, k1, k2);
    }

    /** Mean over channels of the per-channel mean SSIM of {@code [C, H, W]} images {@code a}, {@code b}. */
    public double mean(float[] a, float[] b, int channels, int height, int width, double dataRange) {
        ImageQuality.requireSameLength(a, b);
        ImageQuality.requireRange(dataRange);
        if (channels < 1 || (long) channels * height * width != a.length) {
            throw new IllegalArgumentException("[" + channels + ", " + height + ", " + width + "] does not match "
                    + a.length + " values");
        }
        if (height < window.length || width < window.length) {
            throw new IllegalArgumentException(height + "x" + width + " image is smaller than the "
                    + window.length + "x" + window.length + " SSIM window");
        }
        double s = 0;
        for (int c = 0; c < channels; c++) {
            s += channel(a, b, c * height * width, height, width, dataRange);
        }
        return s / channels;
    }

    /** Mean of the SSIM map of one plane starting at {@code offset}. */
    private double channel(float[] a, float[] b, int offset, int h, int w, double range) {
        int n = h * w;
        double[] x = new double[n];
        double[] y = new double[n];
        double[] xx = new double[n];
        double[] yy = new double[n];
        double[] xy = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = a[offset + i];
            y[i] = b[offset + i];
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] mx = filter(x, h, w);
        double[] my = filter(y, h, w);
        double[] mxx = filter(xx, h, w);
        double[] myy = filter(yy, h, w);
        double[] mxy = filter(xy, h, w);
        double c1 = (k1 * range) * (k1 * range);
        double c2 = (k2 * range) * (k2 * range);
        double s = 0;
        for (int i = 0; i < mx.length; i++) {
            double vx = mxx[i] - mx[i] * mx[i];
            double vy = myy[i] - my[i] * my[i];
            double cxy = mxy[i] - mx[i] * my[i];
            s += (2 * mx[i] * my[i] + c1) * (2 * cxy + c2)
                    / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
        }
        return s / mx.length;
    }

    /** Separable "valid" Gaussian filtering of a {@code [h, w]} plane to {@code [h - K + 1, w - K + 1]}. */
    private double[] filter(double[] p, int h, int w) {
        int k = window.length;
        int ow = w - k + 1;
        int oh = h - k + 1;
        double[] rows = new double[h * ow];  // [h, ow]
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < ow; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) {
                    s += window[t] * p[i * w + j + t];
                }
                rows[i * ow + j] = s;
            }
        }
        double[] out = new double[oh * ow];  // [oh, ow]
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) {
                    s += window[t] * rows[(i + t) * ow + j];
                }
                out[i * ow + j] = s;
            }
        }
        return out;
    }
}
