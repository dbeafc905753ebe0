package org.meg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a legacy PyTorch {@code .ckpt}/{@code .pt} file to safetensors without running pickle code
 * (see {@link TorchCheckpoint}). Keys keep their original full names, so {@code meg} reads the output.
 *
 * <p>Usage: {@code convert-weights [--f32] [--split] [--keep-ema] IN OUT}. Without {@code --split}, OUT is
 * one file; with it, OUT is a folder receiving {@code unet}, {@code vae}, {@code text_encoder} and (only
 * when some key matches none of them) {@code other} {@code .safetensors}.
 */
public final class ConvertWeights {
    /** Output file stem to key prefix, for {@code --split}. */
    static final Map<String, String> COMPONENTS = Map.of(
            "unet", "model.diffusion_model.",
            "vae", "first_stage_model.",
            "text_encoder", "cond_stage_model.transformer.");
    private static final String EMA_PREFIX = "model_ema.";

    /** What a conversion wrote and left out. */
    public record Report(Map<Path, Integer> written, List<String> skipped, int droppedEma, int cast) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            written.forEach((p, n) -> b.append("wrote ").append(n).append(" tensors to ").append(p).append('\n'));
            b.append("dropped ").append(droppedEma).append(" EMA tensors (model_ema.*)\n");
            b.append("cast ").append(cast).append(" F16/BF16 tensors to F32\n");
            b.append("skipped ").append(skipped.size()).append(" non-tensor values").append(skipped.isEmpty() ? "" : ":");
            skipped.forEach(s -> b.append("\n  ").append(s));
            return b.toString();
        }
    }

    private ConvertWeights() {
    }

    /** Converts, dropping EMA keys. */
    public static Report convert(Path in, Path out, boolean toF32, boolean split) {
        return convert(in, out, toF32, split, false);
    }

    /**
     * Converts {@code in} to {@code out}: 1. read the structure; 2. pick the tensors of each output file;
     * 3. write each file, reading and (optionally) casting one tensor at a time.
     */
    public static Report convert(Path in, Path out, boolean toF32, boolean split, boolean keepEma) {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(in)) {
            // 1-2. group names by output file, in checkpoint order
            Map<Path, List<String>> files = new LinkedHashMap<>();
            int ema = 0;
            for (String name : ckpt.names()) {
                if (!keepEma && name.startsWith(EMA_PREFIX)) {
                    ema++;
                    continue;
                }
                files.computeIfAbsent(split ? out.resolve(component(name) + ".safetensors") : out,
                        p -> new ArrayList<>()).add(name);
            }
            // 3. write
            Map<Path, Integer> written = new LinkedHashMap<>();
            int cast = 0;
            for (Map.Entry<Path, List<String>> f : files.entrySet()) {
                SafeTensorsWriter w = SafeTensorsWriter.create().meta("format", "pt");
                for (String name : f.getValue()) {
                    DType dt = ckpt.dtype(name);
                    boolean widen = toF32 && (dt == DType.F16 || dt == DType.BF16);
                    cast += widen ? 1 : 0;
                    w.putLazy(name, widen ? DType.F32 : dt, ckpt.shape(name),
                            () -> widen ? toF32(ckpt.bytes(name), dt) : ckpt.bytes(name));
                }
                writeOrDelete(w, f.getKey());
                written.put(f.getKey(), f.getValue().size());
            }
            return new Report(written, ckpt.skipped(), ema, cast);
        }
    }

    private static String component(String name) {
        for (Map.Entry<String, String> c : COMPONENTS.entrySet()) {
            if (name.startsWith(c.getValue())) {
                return c.getKey();
            }
        }
        return "other";
    }

    private static void writeOrDelete(SafeTensorsWriter w, Path p) {
        try {
            w.write(p);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the original error matters more
            }
            throw e;
        }
    }

    /** Widens little-endian F16 or BF16 bytes to F32 (exact: every half and bfloat16 value is a float). */
    static byte[] toF32(byte[] half, DType dtype) {
        ByteBuffer src = ByteBuffer.wrap(half).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer dst = ByteBuffer.allocate(half.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (src.hasRemaining()) {
            short h = src.getShort();
            // bfloat16 is the top half of a float32
            dst.putFloat(dtype == DType.BF16 ? Float.intBitsToFloat((h & 0xffff) << 16) : HalfFloats.f16ToFloat(h));
        }
        return dst.array();
    }

    /** Command line: {@code [--f32] [--split] [--keep-ema] IN OUT}. */
    public static void main(String[] args) {
        boolean f32 = false;
        boolean split = false;
        boolean keepEma = false;
        List<String> paths = new ArrayList<>();
        for (String a : args) {
            switch (a) {
                case "--f32" -> f32 = true;
                case "--split" -> split = true;
                case "--keep-ema" -> keepEma = true;
                default -> {
                    if (a.startsWith("-")) {
                        usage("unknown option " + a);
                    }
                    paths.add(a);
                }
            }
        }
        if (paths.size() != 2) {
            usage("expected IN and OUT");
        }
        try {
            System.out.println(convert(Path.of(paths.get(0)), Path.of(paths.get(1)), f32, split, keepEma));
        } catch (SafeTensorsException | PickleException e) {
            System.err.println("convert-weights: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println("convert-weights: " + problem + "\nusage: convert-weights [--f32] [--split] [--keep-ema] IN.ckpt OUT"
                + "\n  OUT is a .safetensors file, or with --split a folder for unet/vae/text_encoder.safetensors");
        System.exit(2);
    }
}
