package org.meg.unet;

import java.util.List;
import org.meg.onnx.OnnxGraph;
import org.meg.onnx.OnnxGraph.Attr;
import org.meg.nn.Activations;
import org.meg.nn.Linear;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The timestep sinusoid and {@code time_embed}: {@code linear(silu(linear(sinusoid(t))))}.
 *
 * <p>Sinusoid as diffusers {@code get_timestep_embedding} with {@code flip_sin_to_cos=True},
 * {@code downscale_freq_shift=0}, every step in float32:
 * <a href="https://github.com/huggingface/diffusers/blob/v0.21.4/src/diffusers/models/embeddings.py#L27">embeddings.py</a>.
 */
public final class TimestepEmbedding {
    private static final double MAX_PERIOD = 10000.0;

    private final Linear linear1;                                     // time_embed.0
    // time_embed.1 is SiLU
    private final Linear linear2;                                     // time_embed.2

    private TimestepEmbedding(Linear linear1, Linear linear2) {
        this.linear1 = linear1;
        this.linear2 = linear2;
    }

    /** Loads {@code time_embed.0} [dim, sinusoidDim] and {@code time_embed.2} [dim, dim] from the view {@code time_embed}. */
    public static TimestepEmbedding load(Weights w, int sinusoidDim, int dim) {
        return new TimestepEmbedding(Linear.load(w.child("0"), sinusoidDim, dim, true),
                Linear.load(w.child("2"), dim, dim, true));
    }

    /**
     * {@code emb[b] = [cos(t_b f_0) .. cos(t_b f_{half-1}) | sin(t_b f_0) .. sin(t_b f_{half-1})]},
     * {@code f_i = exp(-ln(10000) * i / half)}, half = dim / 2, in float32; [B, dim].
     */
    public static INDArray sinusoid(double[] timesteps, int dim) {
        int half = dim / 2;
        float[] freq = frequencies(half);
        float[] out = new float[timesteps.length * dim];            // odd dim: last column stays 0, as diffusers pads
        for (int b = 0; b < timesteps.length; b++) {
            float t = (float) timesteps[b];
            for (int i = 0; i < half; i++) {
                float arg = t * freq[i];
                out[b * dim + i] = (float) Math.cos(arg);
                out[b * dim + half + i] = (float) Math.sin(arg);
            }
        }
        return Nd4j.create(out, new long[] {timesteps.length, dim}, 'c');
    }

    /** {@code f_i = exp(-ln(10000) * i / half)}, i < half, every step in float32. */
    private static float[] frequencies(int half) {
        float[] freq = new float[half];
        float logPeriod = (float) -Math.log(MAX_PERIOD);
        for (int i = 0; i < half; i++) {
            float exponent = (logPeriod * (float) i) / (float) half;  // float32, as torch.arange(..., float32)
            freq[i] = (float) Math.exp(exponent);
        }
        return freq;
    }

    /** {@code [B, sinusoidDim] -> [B, dim]}. */
    public INDArray forward(INDArray sinusoid) {
        return linear2.forward(Activations.silu(linear1.forward(sinusoid)));
    }

    /**
     * Sinusoid and {@code time_embed} in ONNX on the float timesteps {@code t} [B]:
     * {@code Concat(Cos(t f), Sin(t f))} with the same float32 frequencies, then the two linears.
     */
    public String onnx(OnnxGraph g, String t, int sinusoidDim) {
        if (sinusoidDim % 2 != 0) {
            throw new IllegalArgumentException("the ONNX export needs an even sinusoid width, got " + sinusoidDim);
        }
        int half = sinusoidDim / 2;
        float[] freq = frequencies(half);
        String arg = g.op("Mul", g.op("Unsqueeze", t, g.ints(1)), g.weight("time_freq", Nd4j.create(freq, new long[] {1, half}, 'c')));
        String sinusoid = g.op("Concat", List.of(Attr.i("axis", 1)), g.op("Cos", arg), g.op("Sin", arg));   // [B, C0]
        return linear2.onnx(g, Activations.silu(g, linear1.onnx(g, sinusoid)));
    }
}
