package org.meg.vae;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.meg.io.SafeTensorsFile;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * TAESD, the tiny distilled SD 1.x autoencoder (madebyollin/taesd), as a {@link LatentCodec}:
 * it maps [-1, 1] images to [0, 1] before its encoder and back after its decoder, and its
 * latents are already in the scaled space, so it can stand in for {@link AutoencoderKL}.
 */
public final class Taesd implements LatentCodec {
    /** Folder searched for, upward from the working directory, by {@link #loadDefault()}. */
    public static final String DEFAULT_DIR = "weights/taesd";
    static final String ENCODER_FILE = "taesd_encoder.safetensors";
    static final String DECODER_FILE = "taesd_decoder.safetensors";

    private final TaesdEncoder encoder;
    private final TaesdDecoder decoder;

    private Taesd(TaesdEncoder encoder, TaesdDecoder decoder) {
        this.encoder = encoder;
        this.decoder = decoder;
    }

    /** Builds from loaded halves. */
    public static Taesd of(TaesdEncoder encoder, TaesdDecoder decoder) {
        return new Taesd(encoder, decoder);
    }

    /** Loads {@code taesd_encoder.safetensors} and {@code taesd_decoder.safetensors} from {@code dir}, strictly. */
    public static Taesd load(Path dir) {
        return new Taesd(loadEncoder(dir.resolve(ENCODER_FILE)), loadDecoder(dir.resolve(DECODER_FILE)));
    }

    /** Loads from the first {@code weights/taesd/} found in the working directory or one of its parents. */
    public static Taesd loadDefault() {
        return load(findDefaultDir());
    }

    /** Loads an encoder file strictly (every key used). */
    public static TaesdEncoder loadEncoder(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Weights w = Weights.of(f);
            TaesdEncoder e = TaesdEncoder.load(w);
            w.requireAllTaken(k -> false);
            return e;
        }
    }

    /** Loads a decoder file strictly (every key used). */
    public static TaesdDecoder loadDecoder(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Weights w = Weights.of(f);
            TaesdDecoder d = TaesdDecoder.load(w);
            w.requireAllTaken(k -> false);
            return d;
        }
    }

    /** The first {@code weights/taesd} holding the encoder file, searching upward from the working directory. */
    public static Path findDefaultDir() {
        String home = System.getProperty(org.meg.io.ProjectFiles.HOME_PROPERTY);
        if (home != null && Files.isRegularFile(Paths.get(home).resolve(DEFAULT_DIR).resolve(ENCODER_FILE))) {
            return Paths.get(home).resolve(DEFAULT_DIR);
        }
        Path start = Paths.get("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            Path dir = p.resolve(DEFAULT_DIR);
            if (Files.isRegularFile(dir.resolve(ENCODER_FILE))) {
                return dir;
            }
        }
        throw new IllegalStateException("no " + DEFAULT_DIR + "/" + ENCODER_FILE + " in " + start + " or any parent");
    }

    /** The encoder, on [0, 1] images. */
    public TaesdEncoder encoder() {
        return encoder;
    }

    /** The decoder, to [0, 1] images. */
    public TaesdDecoder decoder() {
        return decoder;
    }

    /** {@code encoder((image + 1) / 2)}; {@code eps} is ignored (TAESD is deterministic). */
    @Override
    public INDArray encodeScaled(INDArray image, INDArray eps) {
        return encoder.forward(image.add(1.0).muli(0.5));
    }

    /** {@code 2 * decoder(latents) - 1}, not clamped. */
    @Override
    public INDArray decodeScaled(INDArray latents) {
        return decoder.forward(latents).muli(2.0).subi(1.0);
    }

    @Override
    public int latentChannels() {
        return TaesdEncoder.LATENT_CHANNELS;
    }

    @Override
    public int downFactor() {
        return 8;
    }
}
