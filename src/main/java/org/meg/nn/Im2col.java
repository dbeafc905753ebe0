package org.meg.nn;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The column matrix of a 2-D convolution for one sample:
 * {@code cols[(c kh + ky) kw + kx, oy W' + ox] = x[c, oy s - p + ky, ox s - p + kx]}, 0 outside the
 * map, so that {@code conv(x) = W [out, in kh kw] cols}. Channels are filled in parallel.
 */
final class Im2col {
    /** A thread's input row and output plane buffers, reused: a 512x512 step fills ~10^5 planes. */
    private static final ThreadBuffers BUFFERS = new ThreadBuffers(2);

    private Im2col() {
    }

    /**
     * Fills {@code cols} [in kh kw, n outH outW] (c order, contiguous) from samples
     * {@code first .. first + n - 1} of {@code x} [N, in, h, w] (c order, contiguous): the j-th of
     * them takes columns {@code j outH outW ..}.
     */
    static void fill(INDArray x, int first, int n, int in, int h, int w, int kh, int kw, int stride, int padding,
                     int outH, int outW, INDArray cols) {
        FloatBuffer src = x.data().asNioFloat();
        FloatBuffer dst = cols.data().asNioFloat();
        int srcBase = (int) x.offset();
        int dstBase = (int) cols.offset();
        int plane = outH * outW;
        int rowLength = n * plane;
        IntStream.range(0, n * in).parallel().forEach(task -> {
            int j = task / in;
            int s = first + j;
            int c = task % in;
            float[] row = BUFFERS.get(0, w);
            float[] out = BUFFERS.get(1, plane);
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int o = 0;
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= h) {
                            for (int ox = 0; ox < outW; ox++) {
                                out[o++] = 0f;
                            }
                            continue;
                        }
                        src.get(srcBase + ((s * in + c) * h + iy) * w, row, 0, w);
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * stride - padding + kx;
                            out[o++] = ix < 0 || ix >= w ? 0f : row[ix];
                        }
                    }
                    dst.put(dstBase + ((c * kh + ky) * kw + kx) * rowLength + j * plane, out, 0, plane);
                }
            }
        });
    }
}
