package org.meg.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.meg.nn.Activations;
import org.meg.nn.Attention;
import org.meg.nn.LayerNorm;
import org.meg.nn.Linear;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP text transformer as SD 1.x uses it: token + position embeddings, pre-LayerNorm blocks
 * with causal self-attention and quick-GELU MLP, final LayerNorm; the output is the last hidden
 * state at all 77 positions (HF {@code CLIPTextModel}, openai/CLIP {@code model.py}).
 */
public final class ClipTextEncoder {
    private final ClipTextConfig config;
    private final INDArray tokenEmbedding;     // [V, H]
    private final INDArray positionEmbedding;  // [P, H]
    private final List<Layer> layers;
    private final LayerNorm finalLayerNorm;

    /** One encoder layer: {@code x += attn(ln1 x)}, {@code x += fc2(quick_gelu(fc1(ln2 x)))}. */
    private record Layer(LayerNorm layerNorm1, Linear q, Linear k, Linear v, Linear out,
                         LayerNorm layerNorm2, Linear fc1, Linear fc2, int heads) {
        static Layer load(Weights w, ClipTextConfig c) {
            int h = c.hidden();
            Weights a = w.child("self_attn");
            return new Layer(LayerNorm.load(w.child("layer_norm1"), h, c.eps()),
                    Linear.load(a.child("q_proj"), h, h, true),
                    Linear.load(a.child("k_proj"), h, h, true),
                    Linear.load(a.child("v_proj"), h, h, true),
                    Linear.load(a.child("out_proj"), h, h, true),
                    LayerNorm.load(w.child("layer_norm2"), h, c.eps()),
                    Linear.load(w.child("mlp", "fc1"), h, c.intermediate(), true),
                    Linear.load(w.child("mlp", "fc2"), c.intermediate(), h, true),
                    c.heads());
        }

        INDArray forward(INDArray x) {
            INDArray n = layerNorm1.forward(x);
            INDArray a = Attention.attend(q.forward(n), k.forward(n), v.forward(n), heads, true);
            x = x.add(out.forward(a));
            INDArray m = fc2.forward(Activations.quickGelu(fc1.forward(layerNorm2.forward(x))));
            return x.addi(m);
        }
    }

    private ClipTextEncoder(ClipTextConfig config, INDArray tokenEmbedding, INDArray positionEmbedding,
                            List<Layer> layers, LayerNorm finalLayerNorm) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.layers = layers;
        this.finalLayerNorm = finalLayerNorm;
    }

    /** Loads from a view whose keys start with {@code text_model.} (HF names). */
    public static ClipTextEncoder load(Weights w, ClipTextConfig c) {
        Weights t = w.child("text_model");
        Weights e = t.child("embeddings");
        INDArray tok = e.take("token_embedding.weight", c.vocabSize(), c.hidden());
        INDArray pos = e.take("position_embedding.weight", c.maxPositions(), c.hidden());
        // embeddings.position_ids is a buffer [1, 77] = 0..76, not a parameter: ignored by the caller
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(Layer.load(t.child("encoder", "layers", i), c));
        }
        return new ClipTextEncoder(c, tok, pos, List.copyOf(layers),
                LayerNorm.load(t.child("final_layer_norm"), c.hidden(), c.eps()));
    }

    /** The sizes of this encoder. */
    public ClipTextConfig config() {
        return config;
    }

    /** Last hidden state [1, T, H] for T token ids. */
    public INDArray encode(int[] ids) {
        return encode(ids, null);
    }

    /**
     * Last hidden state [1, T, H]; when {@code capture} is given it receives "embeddings",
     * "layer{i}_output" and "last_hidden_state" (the reference's names).
     */
    public INDArray encode(int[] ids, Map<String, INDArray> capture) {
        if (ids.length == 0 || ids.length > config.maxPositions()) {
            throw new IllegalArgumentException("token count " + ids.length + " is outside 1.." + config.maxPositions());
        }
        for (int id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside 0.." + (config.vocabSize() - 1));
            }
        }
        int t = ids.length;
        INDArray x = tokenEmbedding.getRows(ids)
                .addi(positionEmbedding.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, t),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()))
                .reshape('c', 1, t, config.hidden());                       // [1, T, H]
        put(capture, "embeddings", x);
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x);
            put(capture, "layer" + i + "_output", x);
        }
        INDArray out = finalLayerNorm.forward(x);
        put(capture, "last_hidden_state", out);
        return out;
    }

    /** Encodes several prompts' ids into one batch [N, T, H]. */
    public INDArray encodeBatch(List<int[]> ids) {
        INDArray[] parts = new INDArray[ids.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = encode(ids.get(i));
        }
        return Nd4j.concat(0, parts);
    }

    private static void put(Map<String, INDArray> capture, String name, INDArray x) {
        if (capture != null) {
            capture.put(name, x.dup());
        }
    }
}
