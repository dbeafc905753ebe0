package org.meg.unet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.meg.nn.Activations;
import org.meg.nn.Conv2d;
import org.meg.nn.GroupNorm;
import org.meg.nn.Weights;
import org.meg.onnx.OnnxGraph;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SD 1.x conditional U-Net, {@code eps = unet(x_t, t, context)}, built from the original
 * checkpoint layout (CompVis {@code openaimodel.UNetModel}, keys under {@code model.diffusion_model.}).
 *
 * <p>Forward pass (lpb = layers per block, L = levels):
 * <ol>
 *   <li>{@code emb = time_embed(sinusoid(t))} [B, 4 C0].</li>
 *   <li>Down: {@code input_blocks.0} is conv_in; {@code input_blocks.{1 + level (lpb+1) + j}} is
 *       ResBlock j (+ transformer) of a level, {@code input_blocks.{(level+1)(lpb+1)}} its downsampler.
 *       Every output is pushed on the skip stack.</li>
 *   <li>{@code middle_block}: ResBlock, transformer, ResBlock.</li>
 *   <li>Up: {@code output_blocks.{i (lpb+1) + j}}, i = 0 the lowest resolution, each on
 *       {@code cat([h, skips.pop()], 1)}; the last block of a level ends with an upsampler to the
 *       next skip's size.</li>
 *   <li>{@code out}: GroupNorm, SiLU, conv3x3 to the noise prediction.</li>
 * </ol>
 *
 * <p>A probe sees the intermediates under diffusers' module names: {@code time_proj},
 * {@code time_embedding}, {@code conv_in}, {@code down_blocks.i}, {@code mid_block},
 * {@code up_blocks.i}, {@code conv_norm_out}. The model does not modify an array after handing it
 * to the probe, and the probe must not modify it either.
 */
public final class UNet {
    private static final double OUT_EPS = 1e-5;
    /**
     * Scratch memory for the temporaries of one block: reused block after block (it grows to the
     * largest block), each block's output is copied out. Without it every temporary waits for a
     * GC to be freed, and a 64x64 SD 1.5 step left ~10 GB of garbage off-heap.
     */
    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();
    private static final String SCRATCH_ID = "meg-unet-block";
    /**
     * Memory of one forward pass outside the blocks: the timestep embedding, the skip stack and each
     * block's output, reused call after call, so that a denoising loop allocates only the returned
     * eps outside workspaces (steady state; measured by {@code benchmarks/run.sh memory}).
     */
    private static final WorkspaceConfiguration STEP = SCRATCH;
    private static final String STEP_ID = "meg-unet-step";

    private final UNetConfig config;
    private final TimestepEmbedding timeEmbed;                        // time_embed
    private final Conv2d convIn;                                      // input_blocks.0.0
    private final List<TimestepBlock> inputBlocks;                    // input_blocks.1 ..
    private final TimestepBlock middleBlock;                          // middle_block
    private final List<TimestepBlock> outputBlocks;                   // output_blocks.0 ..
    private final GroupNorm outNorm;                                  // out.0
    // out.1 is SiLU
    private final Conv2d outConv;                                     // out.2

    private UNet(UNetConfig config, TimestepEmbedding timeEmbed, Conv2d convIn, List<TimestepBlock> inputBlocks,
                 TimestepBlock middleBlock, List<TimestepBlock> outputBlocks, GroupNorm outNorm, Conv2d outConv) {
        this.config = config;
        this.timeEmbed = timeEmbed;
        this.convIn = convIn;
        this.inputBlocks = List.copyOf(inputBlocks);
        this.middleBlock = middleBlock;
        this.outputBlocks = List.copyOf(outputBlocks);
        this.outNorm = outNorm;
        this.outConv = outConv;
    }

    /** Loads every U-Net parameter from {@code w}, a view whose keys are relative to {@code model.diffusion_model.}. */
    public static UNet load(Weights w, UNetConfig cfg) {
        int lpb = cfg.layersPerBlock();
        int levels = cfg.levels();
        int c0 = cfg.modelChannels();
        int embDim = cfg.timeEmbedDim();
        int groups = cfg.groups();
        TimestepEmbedding timeEmbed = TimestepEmbedding.load(w.child("time_embed"), c0, embDim);
        Conv2d convIn = Conv2d.load(w.child("input_blocks", 0, 0), cfg.inChannels(), c0, 3, 1, 1);

        // 1. Down path; skipChannels mirrors the skip stack the forward pass builds.
        Deque<Integer> skipChannels = new ArrayDeque<>();
        skipChannels.push(c0);
        List<TimestepBlock> input = new ArrayList<>();
        int ch = c0;
        int k = 1;
        for (int level = 0; level < levels; level++) {
            int out = cfg.channels(level);
            for (int j = 0; j < lpb; j++, k++) {
                List<Layer> layers = new ArrayList<>();
                layers.add(ResBlock.load(w.child("input_blocks", k, 0), ch, out, embDim, groups));
                if (cfg.hasAttention(level)) {
                    layers.add(transformer(w.child("input_blocks", k, 1), out, cfg));
                }
                input.add(TimestepBlock.of(layers));
                ch = out;
                skipChannels.push(ch);
            }
            if (level < levels - 1) {
                input.add(TimestepBlock.of(List.of(Downsample.load(w.child("input_blocks", k, 0), ch))));
                skipChannels.push(ch);
                k++;
            }
        }

        // 2. Middle: ResBlock, transformer, ResBlock.
        TimestepBlock middle = TimestepBlock.of(List.of(
                ResBlock.load(w.child("middle_block", 0), ch, ch, embDim, groups),
                transformer(w.child("middle_block", 1), ch, cfg),
                ResBlock.load(w.child("middle_block", 2), ch, ch, embDim, groups)));

        // 3. Up path: level L-1 first, lpb + 1 ResBlocks each, every one on a popped skip.
        List<TimestepBlock> output = new ArrayList<>();
        k = 0;
        for (int i = 0; i < levels; i++) {
            int level = levels - 1 - i;
            int out = cfg.channels(level);
            for (int j = 0; j <= lpb; j++, k++) {
                List<Layer> layers = new ArrayList<>();
                layers.add(ResBlock.load(w.child("output_blocks", k, 0), ch + skipChannels.pop(), out, embDim, groups));
                ch = out;
                if (cfg.hasAttention(level)) {
                    layers.add(transformer(w.child("output_blocks", k, 1), out, cfg));
                }
                if (j == lpb && level > 0) {
                    layers.add(Upsample.load(w.child("output_blocks", k, layers.size()), ch));
                }
                output.add(TimestepBlock.of(layers));
            }
        }

        GroupNorm outNorm = GroupNorm.load(w.child("out", 0), groups, ch, OUT_EPS);
        Conv2d outConv = Conv2d.load(w.child("out", 2), ch, cfg.outChannels(), 3, 1, 1);
        return new UNet(cfg, timeEmbed, convIn, input, middle, output, outNorm, outConv);
    }

    private static SpatialTransformer transformer(Weights w, int channels, UNetConfig cfg) {
        return SpatialTransformer.load(w, channels, cfg.contextDim(), cfg.heads(), cfg.transformerDepth(), cfg.groups());
    }

    /** The sizes this model was built with. */
    public UNetConfig config() {
        return config;
    }

    /**
     * Frees this thread's step and scratch workspaces (at 512x512 batch 2 with SD 1.5, ~1 GB kept
     * between calls so that steps allocate nothing). The next forward re-creates them, paying the
     * first-touch cost once more. Call it when a denoising loop ends and other work (the VAE
     * decoder) needs the memory.
     */
    public static void releaseWorkspaces() {
        for (String id : new String[] {STEP_ID, SCRATCH_ID}) {
            if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)) {
                Nd4j.getWorkspaceManager().destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(id));
            }
        }
    }

    /** Noise prediction with one timestep for every batch entry: {@code [B, in, h, w] -> [B, out, h, w]}. */
    public INDArray forward(INDArray sample, double timestep, INDArray context) {
        return forward(sample, new double[] {timestep}, context, null);
    }

    /**
     * Noise prediction.
     *
     * @param sample    x_t, [B, in, h, w]
     * @param timesteps one timestep per batch entry, or a single one for all
     * @param context   cross-attention context, [B, S, contextDim]
     * @param probe     receives named intermediates (see the class comment), or null
     * @return epsilon, [B, out, h, w]
     */
    public INDArray forward(INDArray sample, double[] timesteps, INDArray context, BiConsumer<String, INDArray> probe) {
        long batch = checkInputs(sample, timesteps, context);
        // The probe gets copies outside the step workspace, which is reused by the next call.
        BiConsumer<String, INDArray> see = probe == null ? (n, a) -> { } : (n, a) -> probe.accept(n, a.detach());
        try (MemoryWorkspace step = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, STEP_ID)) {
            return forwardInStep(sample, timesteps, context, batch, see).detach();
        }
    }

    private INDArray forwardInStep(INDArray sample, double[] timesteps, INDArray context, long batch,
                                   BiConsumer<String, INDArray> see) {
        int lpb = config.layersPerBlock();
        int levels = config.levels();

        // 1. Timestep embedding.
        double[] t = timesteps.length == batch ? timesteps : filled(batch, timesteps[0]);
        INDArray proj = TimestepEmbedding.sinusoid(t, config.modelChannels());      // [B, C0]
        see.accept("time_proj", proj);
        INDArray emb = timeEmbed.forward(proj);                                      // [B, 4 C0]
        see.accept("time_embedding", emb);
        Conditioning cond = new Conditioning(emb, context, null);

        // 2. Down path, keeping every output as a skip.
        Deque<INDArray> skips = new ArrayDeque<>();
        INDArray h = scratch(sample, convIn::forward);                               // [B, C0, h, w]
        see.accept("conv_in", h);
        skips.push(h);
        int k = 0;
        for (int level = 0; level < levels; level++) {
            int blocks = level < levels - 1 ? lpb + 1 : lpb;                         // ResBlocks (+ downsampler)
            for (int j = 0; j < blocks; j++, k++) {
                TimestepBlock block = inputBlocks.get(k);
                h = scratch(h, x -> block.forward(x, cond));
                skips.push(h);
            }
            see.accept("down_blocks." + level, h);
        }

        // 3. Middle.
        h = scratch(h, x -> middleBlock.forward(x, cond));
        see.accept("mid_block", h);

        // 4. Up path: cat([h, skip]) with the current hidden state first.
        k = 0;
        for (int i = 0; i < levels; i++) {
            for (int j = 0; j <= lpb; j++, k++) {
                INDArray skip = skips.pop();
                Conditioning c = j == lpb && !skips.isEmpty()                       // upsample to the next skip's size
                        ? cond.upsampleTo(new long[] {skips.peek().size(2), skips.peek().size(3)}) : cond;
                TimestepBlock block = outputBlocks.get(k);
                h = scratch(h, x -> block.forward(Nd4j.concat(1, x, skip), c));
            }
            see.accept("up_blocks." + i, h);
        }

        // 5. Output head.
        h = scratch(h, outNorm::forward);
        see.accept("conv_norm_out", h);
        return scratch(h, x -> outConv.forward(Activations.silu(x)));
    }

    /**
     * The same network as an ONNX graph (opset {@value OnnxGraph#OPSET}) with inputs {@code sample}
     * [batch, in, height, width], {@code timestep} [batch] (float) and {@code context}
     * [batch, tokens, contextDim], and output {@code eps} [batch, out, height, width]; the graph's
     * initializers refer to this model's arrays. Write it with {@link org.meg.onnx.OnnxWriter}.
     */
    public OnnxGraph onnx() {
        OnnxGraph g = OnnxGraph.named("meg_unet");
        String sample = g.input("sample", "batch", (long) config.inChannels(), "height", "width");
        String timestep = g.input("timestep", "batch");
        String context = g.input("context", "batch", "tokens", (long) config.contextDim());
        int lpb = config.layersPerBlock();
        int levels = config.levels();

        // 1.-2. Timestep embedding, down path with its skips.
        GraphConditioning cond = new GraphConditioning(timeEmbed.onnx(g, timestep, config.modelChannels()), context, null);
        Deque<String> skips = new ArrayDeque<>();
        String h = convIn.onnx(g, sample);
        skips.push(h);
        int k = 0;
        for (int level = 0; level < levels; level++) {
            int blocks = level < levels - 1 ? lpb + 1 : lpb;
            for (int j = 0; j < blocks; j++, k++) {
                h = inputBlocks.get(k).onnx(g, h, cond);
                skips.push(h);
            }
        }

        // 3.-4. Middle, up path on cat([h, skip]).
        h = middleBlock.onnx(g, h, cond);
        k = 0;
        for (int i = 0; i < levels; i++) {
            for (int j = 0; j <= lpb; j++, k++) {
                String skip = skips.pop();
                GraphConditioning c = j == lpb && !skips.isEmpty() ? cond.upsampleTo(skips.peek()) : cond;
                h = outputBlocks.get(k).onnx(g, g.op("Concat", List.of(OnnxGraph.Attr.i("axis", 1)), h, skip), c);
            }
        }

        // 5. Output head.
        String eps = outConv.onnx(g, Activations.silu(g, outNorm.onnx(g, h)));
        g.output(eps, "eps", "batch", (long) config.outChannels(), "height", "width");
        return g;
    }

    /** {@code block(x)} with its temporaries in the scratch workspace; the result is copied out to the step workspace. */
    private static INDArray scratch(INDArray x, UnaryOperator<INDArray> block) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, SCRATCH_ID)) {
            return block.apply(x).leverageTo(STEP_ID);
        }
    }

    private long checkInputs(INDArray sample, double[] timesteps, INDArray context) {
        if (sample.rank() != 4 || sample.size(1) != config.inChannels()) {
            throw new IllegalArgumentException("sample must be [B, " + config.inChannels() + ", h, w], got "
                    + Arrays.toString(sample.shape()));
        }
        long batch = sample.size(0);
        if (context.rank() != 3 || context.size(0) != batch || context.size(2) != config.contextDim()) {
            throw new IllegalArgumentException("context must be [" + batch + ", S, " + config.contextDim() + "], got "
                    + Arrays.toString(context.shape()));
        }
        if (timesteps.length != 1 && timesteps.length != batch) {
            throw new IllegalArgumentException(timesteps.length + " timesteps for a batch of " + batch);
        }
        return batch;
    }

    private static double[] filled(long n, double v) {
        double[] a = new double[(int) n];
        Arrays.fill(a, v);
        return a;
    }
}
