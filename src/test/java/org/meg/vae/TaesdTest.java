package org.meg.vae;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.meg.io.SafeTensorsFile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * TAESD against upstream PyTorch float32 outputs (reference/taesd README: float64 recomputation
 * differs by at most 1.6e-5, so an independent float32 implementation should agree within 1e-4).
 * 256x256 always; 512x512 with {@code -Dmeg.slow=true}.
 */
class TaesdTest {
    private static final double TOL = 1e-4;

    private static Taesd taesd;

    @BeforeAll
    static void load() {
        taesd = Taesd.loadDefault();
    }

    static List<String> cases() {
        List<String> c = new ArrayList<>(List.of("astronaut_256", "coffee_256"));
        if (Boolean.getBoolean("meg.slow")) {
            c.addAll(List.of("astronaut_512", "coffee_512"));
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void encoderMatchesReference(String name) {
        INDArray image = Reference.loadPng01(Reference.IMAGES.resolve(name + ".png"));
        try (SafeTensorsFile ref = SafeTensorsFile.open(Reference.TAESD.resolve(name + "_latent.safetensors"))) {
            long t0 = System.nanoTime();
            INDArray latent = taesd.encoder().forward(image);
            System.out.printf("  taesd encode %s: %.2f s%n", name, (System.nanoTime() - t0) / 1e9);
            Reference.assertClose(name + " latent", latent, ref.load("latent"), TOL);
            // LatentCodec view: [-1, 1] in, same latents
            Reference.assertClose(name + " encodeScaled(2x-1)", taesd.encodeScaled(image.mul(2).subi(1), null),
                    ref.load("latent"), TOL);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decoderMatchesReference(String name) {
        try (SafeTensorsFile lat = SafeTensorsFile.open(Reference.TAESD.resolve(name + "_latent.safetensors"));
             SafeTensorsFile ref = SafeTensorsFile.open(Reference.TAESD.resolve(name + "_decoded.safetensors"))) {
            long t0 = System.nanoTime();
            INDArray decoded = taesd.decoder().forward(lat.load("latent"));
            System.out.printf("  taesd decode %s: %.2f s%n", name, (System.nanoTime() - t0) / 1e9);
            INDArray expected = ref.load("decoded");
            Reference.assertClose(name + " decoded", decoded, expected, TOL);
            Reference.assertClose(name + " decodeScaled = 2*decoded-1", taesd.decodeScaled(lat.load("latent")),
                    expected.mul(2).subi(1), 2 * TOL);
        }
    }

    @Test
    void rejectsSizeNotMultipleOf8() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> taesd.encoder().forward(Nd4j.zeros(1, 3, 64, 60)));
        assertTrue(e.getMessage().contains("multiple of 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> taesd.decoder().forward(Nd4j.zeros(1, 3, 8, 8)));
    }
}
