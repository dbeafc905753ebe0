package org.meg.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test helpers: reference paths, PNG loading, tolerance checks that print what they measured. */
final class Reference {
    static final Path RESOURCES = Paths.get("src/test/resources");
    static final Path SD_TINY = RESOURCES.resolve("reference/sd-tiny");
    static final Path TAESD = RESOURCES.resolve("reference/taesd");
    static final Path IMAGES = RESOURCES.resolve("images");

    private Reference() {
    }

    /** Max |a - b|; shapes must match. */
    static double maxAbs(INDArray actual, INDArray expected) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        return actual.castTo(expected.dataType()).sub(expected).amaxNumber().doubleValue();
    }

    /** Asserts max |a - b| <= tol and prints the measured error. */
    static double assertClose(String what, INDArray actual, INDArray expected, double tol) {
        double err = maxAbs(actual, expected);
        System.out.printf("  %-60s max abs err %.3e (tol %.0e)%n", what, err, tol);
        assertTrue(err <= tol, what + ": max abs error " + err + " > " + tol);
        return err;
    }

    /**
     * A PNG as [1, 3, H, W] float32 in [0, 1], R, G, B, from the raw 8-bit samples (as PIL's
     * {@code convert("RGB")} / 255; no ICC colour conversion, which {@code getRGB} could apply).
     */
    static INDArray loadPng01(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Raster r = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        if (r.getNumBands() < 3 || r.getSampleModel().getSampleSize(0) != 8) {
            throw new IllegalArgumentException(file + ": expected 8-bit RGB, got " + r.getNumBands() + " bands");
        }
        float[] data = new float[3 * h * w];
        int[] px = new int[r.getNumBands()];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                for (int c = 0; c < 3; c++) {
                    data[(c * h + y) * w + x] = px[c] / 255.0f;
                }
            }
        }
        return Nd4j.create(data, new long[] {1, 3, h, w}, 'c');
    }
}
