package org.meg.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.meg.io.Images;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small PNG charts and labelled image panels drawn with Java2D (headless). */
final class Charts {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf), Color.BLACK, new Color(0x555599)};

    private Charts() {
    }

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Images side by side, each with its label above (the paper's Fig. 5). */
    static void panel(List<String> labels, List<INDArray> images, Path file) {
        int cell = 0;
        int h = 0;
        for (INDArray im : images) {
            cell = Math.max(cell, (int) im.size(3));
            h = Math.max(h, (int) im.size(2));
        }
        int pad = 6;
        int top = 22;
        BufferedImage out = new BufferedImage(images.size() * (cell + pad) + pad, h + top + pad, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        for (int i = 0; i < images.size(); i++) {
            int x = pad + i * (cell + pad);
            g.setColor(Color.BLACK);
            g.drawString(labels.get(i), x + 2, 16);
            g.drawImage(Images.toBuffered(images.get(i)), x, top, null);
        }
        g.dispose();
        write(out, file);
    }

    /** Lines y(x), one per series, with axes, ticks and a legend. */
    static void lines(String title, String xLabel, String yLabel, Map<String, double[][]> series, Path file) {
        int w = 760;
        int h = 480;
        int l = 70;
        int r = 170;
        int t = 40;
        int b = 55;
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (double[][] s : series.values()) {
            for (double[] p : s) {
                if (Double.isFinite(p[1])) {
                    x0 = Math.min(x0, p[0]);
                    x1 = Math.max(x1, p[0]);
                    y0 = Math.min(y0, p[1]);
                    y1 = Math.max(y1, p[1]);
                }
            }
        }
        if (!(x1 > x0)) {
            x1 = x0 + 1;
        }
        if (!(y1 > y0)) {
            y1 = y0 + 1;
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, l, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = w - l - r;
        int ph = h - t - b;
        g.drawRect(l, t, pw, ph);
        for (int i = 0; i <= 5; i++) {
            double xv = x0 + (x1 - x0) * i / 5;
            double yv = y0 + (y1 - y0) * i / 5;
            int xp = l + pw * i / 5;
            int yp = t + ph - ph * i / 5;
            g.drawLine(xp, t + ph, xp, t + ph + 4);
            g.drawString(String.format("%.3g", xv), xp - 12, t + ph + 18);
            g.drawLine(l - 4, yp, l, yp);
            g.drawString(String.format("%.3g", yv), 8, yp + 4);
        }
        g.drawString(xLabel, l + pw / 2 - 30, h - 12);
        g.drawString(yLabel, 8, t - 8);
        int k = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            g.setColor(PALETTE[k % PALETTE.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (double[] p : e.getValue()) {
                if (!Double.isFinite(p[1])) {
                    px = -1;
                    continue;
                }
                int xp = (int) (l + (p[0] - x0) / (x1 - x0) * pw);
                int yp = (int) (t + ph - (p[1] - y0) / (y1 - y0) * ph);
                g.fillOval(xp - 3, yp - 3, 6, 6);
                if (px >= 0) {
                    g.drawLine(px, py, xp, yp);
                }
                px = xp;
                py = yp;
            }
            g.fillRect(w - r + 12, t + 8 + k * 18, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), w - r + 32, t + 14 + k * 18);
            k++;
        }
        g.dispose();
        write(img, file);
    }

    /** One bar per label. */
    static void bars(String title, String yLabel, Map<String, Double> values, Path file) {
        Map<String, double[][]> dummy = new java.util.LinkedHashMap<>();
        int w = 760;
        int h = 420;
        int l = 90;
        int t = 40;
        int b = 70;
        double max = values.values().stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).max().orElse(1);
        if (!(max > 0)) {
            max = 1;
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, l, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        int pw = w - l - 20;
        int ph = h - t - b;
        g.drawLine(l, t + ph, l + pw, t + ph);
        g.drawLine(l, t, l, t + ph);
        for (int i = 0; i <= 4; i++) {
            int yp = t + ph - ph * i / 4;
            g.drawString(String.format("%.3g", max * i / 4), 6, yp + 4);
        }
        g.drawString(yLabel, 6, t - 8);
        int n = values.size();
        int bw = Math.max(4, pw / Math.max(1, n) - 10);
        int k = 0;
        for (Map.Entry<String, Double> e : values.entrySet()) {
            int xp = l + 6 + k * (pw / Math.max(1, n));
            int bh = (int) (Double.isFinite(e.getValue()) ? e.getValue() / max * ph : 0);
            g.setColor(PALETTE[k % PALETTE.length]);
            g.fillRect(xp, t + ph - bh, bw, bh);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), xp, t + ph + 16);
            g.drawString(String.format("%.3g", e.getValue()), xp, t + ph - bh - 4);
            k++;
        }
        g.dispose();
        write(img, file);
    }

    private static void write(BufferedImage img, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
