package org.meg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import org.junit.jupiter.api.Test;

class ImageQualityTest {
    @Test
    void psnrOfKnownMse() {
        float[] a = {0.0f, 0.5f, 1.0f, 0.25f};
        float[] b = {0.1f, 0.4f, 0.9f, 0.35f};  // every error 0.1 (to float precision): MSE 0.01
        assertEquals(0.01, ImageQuality.mse(a, b), 1e-8);
        assertEquals(20.0, ImageQuality.psnr(a, b, 1.0), 1e-5);
        float[] c = {0, 255, 10, 20};
        float[] d = {5, 250, 15, 15};  // MSE 25
        assertEquals(10 * Math.log10(255.0 * 255 / 25), ImageQuality.psnr(c, d, 255), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, ImageQuality.psnr(a, a.clone(), 1.0));
    }

    @Test
    void ssimIdentityAndSymmetry() {
        Random r = new Random(1);
        float[] x = noise(r, 3 * 20 * 17);
        float[] y = noise(r, 3 * 20 * 17);
        assertEquals(1.0, ImageQuality.ssim(x, x, 3, 20, 17, 1.0), 1e-12);
        assertEquals(ImageQuality.ssim(x, y, 3, 20, 17, 1.0), ImageQuality.ssim(y, x, 3, 20, 17, 1.0), 1e-15);
    }

    @Property(tries = 50)
    void constantImagesGiveTheLuminanceTerm(@ForAll @FloatRange(min = 0, max = 1) float mx,
                                            @ForAll @FloatRange(min = 0, max = 1) float my) {
        // sigma_x = sigma_y = sigma_xy = 0, so SSIM = (2 mx my + C1) / (mx^2 + my^2 + C1)
        float[] a = filled(2 * 12 * 13, mx);
        float[] b = filled(2 * 12 * 13, my);
        double c1 = 0.01 * 0.01;
        double expected = (2.0 * mx * my + c1) / ((double) mx * mx + (double) my * my + c1);
        assertEquals(expected, ImageQuality.ssim(a, b, 2, 12, 13, 1.0), 1e-12);
    }

    @Test
    void matchesIndependentReference() throws Exception {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/metrics/ssim_golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        for (JsonNode c : golden.get("cases")) {
            int ch = c.get("channels").asInt();
            int h = c.get("height").asInt();
            int w = c.get("width").asInt();
            double range = c.get("dataRange").asDouble();
            float[][] ab = referenceImages(ch, h, w, range);
            assertEquals(c.get("ssim").asDouble(), ImageQuality.ssim(ab[0], ab[1], ch, h, w, range), 1e-9, c.get("name").asText());
            assertEquals(c.get("psnr").asDouble(), ImageQuality.psnr(ab[0], ab[1], range), 1e-9, c.get("name").asText());
        }
    }

    @Test
    void badShapesAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> ImageQuality.ssim(new float[100], new float[100], 1, 10, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageQuality.ssim(new float[144], new float[144], 1, 12, 11, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageQuality.psnr(new float[3], new float[4], 1));
        assertThrows(IllegalArgumentException.class, () -> ImageQuality.psnr(new float[3], new float[3], 0));
    }

    /** The formula of {@code src/test/resources/metrics/ssim_reference.py}. */
    private static float[][] referenceImages(int c, int h, int w, double scale) {
        float[] a = new float[c * h * w];
        float[] b = new float[c * h * w];
        for (int k = 0; k < c; k++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double s = Math.sin(0.31 * i + 0.17 * (k + 1) * j + k);
                    a[(k * h + i) * w + j] = (float) (scale * (0.5 + 0.4 * s));
                    b[(k * h + i) * w + j] = (float) (scale * (0.5 + 0.4 * s + 0.15 * Math.cos(0.7 * i * j + 1.3 * k)));
                }
            }
        }
        return new float[][] {a, b};
    }

    private static float[] noise(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
