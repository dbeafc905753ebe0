package org.meg.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PNG files and tensors: images are [1, 3, H, W], RGB, values in [-1, 1]
 * ({@code v = 2 * byte / 255 - 1}, as diffusers' image processor maps them).
 */
public final class Images {
    private Images() {
    }

    /** Reads a PNG/JPEG as [1, 3, H, W] in [-1, 1]; alpha is dropped. */
    public static INDArray read(Path path) {
        BufferedImage img;
        try {
            img = ImageIO.read(path.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read image " + path + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException(path + " is not an image format this JVM can read (PNG, JPEG, BMP, GIF)");
        }
        return fromBuffered(img);
    }

    /** A BufferedImage as [1, 3, H, W] in [-1, 1]. */
    public static INDArray fromBuffered(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] v = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * w + x;
                v[i] = ((rgb >> 16) & 0xff) / 255f * 2f - 1f;
                v[h * w + i] = ((rgb >> 8) & 0xff) / 255f * 2f - 1f;
                v[2 * h * w + i] = (rgb & 0xff) / 255f * 2f - 1f;
            }
        }
        return Nd4j.create(v, new long[] {1, 3, h, w}, 'c');
    }

    /** Quantises [1, 3, H, W] in [-1, 1] to 8-bit RGB: {@code round((v + 1) / 2 * 255)}, clamped. */
    public static BufferedImage toBuffered(INDArray image) {
        checkImage(image);
        int h = (int) image.size(2);
        int w = (int) image.size(3);
        float[] v = image.dup('c').data().asFloat();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = toByte(v[i]);
                int g = toByte(v[h * w + i]);
                int b = toByte(v[2 * h * w + i]);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    /** Writes [1, 3, H, W] in [-1, 1] as an 8-bit PNG. */
    public static void writePng(INDArray image, Path path) {
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            ImageIO.write(toBuffered(image), "png", path.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** Maps [-1, 1] to [0, 1] and clamps (for metrics and viewing). */
    public static INDArray to01(INDArray image) {
        INDArray x = image.add(1.0).divi(2.0);
        return org.nd4j.linalg.ops.transforms.Transforms.min(org.nd4j.linalg.ops.transforms.Transforms.max(x, 0.0, false), 1.0, false);
    }

    /** Rounds [-1, 1] values to the 8-bit grid a PNG would hold (what an 8-bit image link carries). */
    public static INDArray quantize8(INDArray image) {
        float[] v = image.dup('c').data().asFloat();
        for (int i = 0; i < v.length; i++) {
            v[i] = toByte(v[i]) / 255f * 2f - 1f;
        }
        return Nd4j.create(v, image.shape(), 'c');
    }

    /** Averages each factor x factor block: [1, C, H, W] to [1, C, H/f, W/f] (H, W divisible by f). */
    public static INDArray downsample(INDArray image, int factor) {
        long h = image.size(2);
        long w = image.size(3);
        if (factor < 1 || h % factor != 0 || w % factor != 0) {
            throw new IllegalArgumentException("image " + w + "x" + h + " does not divide by " + factor);
        }
        long c = image.size(1);
        INDArray x = image.dup('c').reshape('c', image.size(0), c, h / factor, factor, w / factor, factor);
        return x.mean(3, 5).reshape('c', image.size(0), c, h / factor, w / factor);
    }

    /** Bilinear resize (align_corners=False, half-pixel centres, as PIL/PyTorch) to H x W. */
    public static INDArray resizeBilinear(INDArray image, int outH, int outW) {
        int n = (int) image.size(0);
        int c = (int) image.size(1);
        int h = (int) image.size(2);
        int w = (int) image.size(3);
        float[] src = image.dup('c').data().asFloat();
        float[] dst = new float[n * c * outH * outW];
        for (int y = 0; y < outH; y++) {
            double sy = Math.max(0, (y + 0.5) * h / outH - 0.5);
            int y0 = Math.min((int) sy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < outW; x++) {
                double sx = Math.max(0, (x + 0.5) * w / outW - 0.5);
                int x0 = Math.min((int) sx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                for (int p = 0; p < n * c; p++) {
                    int b = p * h * w;
                    double top = src[b + y0 * w + x0] * (1 - fx) + src[b + y0 * w + x1] * fx;
                    double bot = src[b + y1 * w + x0] * (1 - fx) + src[b + y1 * w + x1] * fx;
                    dst[p * outH * outW + y * outW + x] = (float) (top * (1 - fy) + bot * fy);
                }
            }
        }
        return Nd4j.create(dst, new long[] {n, c, outH, outW}, 'c');
    }

    private static int toByte(float v) {
        int q = Math.round((v + 1f) / 2f * 255f);
        return Math.max(0, Math.min(255, q));
    }

    private static void checkImage(INDArray image) {
        if (image.rank() != 4 || image.size(0) != 1 || image.size(1) != 3) {
            throw new IllegalArgumentException("expected an image [1, 3, H, W], got " + java.util.Arrays.toString(image.shape()));
        }
    }
}
