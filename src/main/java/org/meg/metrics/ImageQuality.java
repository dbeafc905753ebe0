package org.meg.metrics;

/**
 * Full-reference image quality on flat float arrays. Images are {@code [C, H, W]} planes
 * (channel-major, row-major within a plane) in a known data range {@code R}, e.g. 1.0 or 255.
 */
public final class ImageQuality {
    private ImageQuality() {
    }

    /** Mean squared error {@code (1/n) sum (a_i - b_i)^2}. */
    public static double mse(float[] a, float[] b) {
        requireSameLength(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s / a.length;
    }

    /** {@code PSNR = 10 log10(R^2 / MSE)} dB; identical images give {@code +Infinity}. */
    public static double psnr(float[] a, float[] b, double dataRange) {
        requireRange(dataRange);
        double mse = mse(a, b);
        return mse == 0 ? Double.POSITIVE_INFINITY : 10.0 * Math.log10(dataRange * dataRange / mse);
    }

    /** Mean SSIM of two {@code [C, H, W]} images with the Wang et al. (2004) settings, see {@link Ssim}. */
    public static double ssim(float[] a, float[] b, int channels, int height, int width, double dataRange) {
        return Ssim.wang2004().mean(a, b, channels, height, width, dataRange);
    }

    static void requireSameLength(float[] a, float[] b) {
        if (a == null || b == null || a.length == 0 || a.length != b.length) {
            throw new IllegalArgumentException("images must be non-empty and the same size, got "
                    + (a == null ? "null" : a.length) + " and " + (b == null ? "null" : b.length) + " values");
        }
    }

    static void requireRange(double dataRange) {
        if (!(dataRange > 0) || Double.isInfinite(dataRange)) {
            throw new IllegalArgumentException("data range must be finite and > 0, got " + dataRange);
        }
    }
}
