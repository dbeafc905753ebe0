package org.meg.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.meg.io.Images;
import org.meg.metrics.LedgerSnapshot;
import org.meg.model.ModelLoader;
import org.meg.model.ModelOptions;
import org.meg.model.SdModel;
import org.meg.protocol.dsl.ProtocolScript;
import org.meg.protocol.stage.ModelStages;
import org.meg.protocol.stage.StageSettings;
import org.meg.testing.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every built-in protocol on the real engine (the tiny reference model, random weights, with
 * TAESD; 64x64, 2 steps): it runs, its bit ledger is exactly the shape-only count that reproduces
 * Fig. 6, a perfect channel reproduces the reference bit for bit, and a noisy one changes it.
 */
class ModelProtocolsTest {
    private static final int SIZE = 64;
    private static Network network2;
    private static INDArray image;

    @BeforeAll
    static void load() {
        SdModel m = ModelLoader.load(Reference.sdTiny("models/tiny-sd/original/tiny-sd.safetensors"),
                ModelOptions.defaults().withCodec(ModelOptions.Codec.TAESD));
        StageSettings s = new StageSettings(2, 0.75, 7.5, 0.0, "", 2, 0.5);
        NodeProfile ue = new NodeProfile("UE", ModelStages.of(m.pipeline(), s.withSteps(1)), "tiny, 1 step", 0.25);
        NodeProfile es = new NodeProfile("ES", ModelStages.of(m.pipeline(), s), "tiny, 2 steps", 4);
        network2 = Network.of(ue, es, 2);
        image = Images.resizeBilinear(Images.read(Reference.resource("images/coffee_256.png")), SIZE, SIZE);
    }

    static java.util.List<String> protocols() {
        return Protocols.NAMES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void runsWithTheShapeOnlyLedgerAndSeededDeterminism(String name) {
        ProtocolScript script = Protocols.get(name);
        int n = script.isMultiEs() ? 2 : 1;
        Network net = n == 2 ? network2 : Network.of(network2.ue(), network2.edgeServers().get(0), 1);
        RunSettings noisy = RunSettings.of(3, 0.0);
        Experiment.Outcome o = Experiment.run(script, net, "corals", image, noisy);
        assertArrayEquals(new long[] {1, 3, SIZE, SIZE}, o.noisy().output().shape());

        LedgerSnapshot expected = Overhead.of(script, SIZE, SIZE, 8, n, "corals");
        LedgerSnapshot got = o.noisy().ledger();
        assertEquals(expected.uplinkBits(), got.uplinkBits(), "uplink bits");
        assertEquals(expected.downlinkBits(), got.downlinkBits(), "downlink bits");
        assertEquals(expected.textBits(), got.textBits(), "text bits");

        RunResult again = ProtocolRunner.run(script, net, "corals", image, noisy.perfectChannel());
        assertArrayEquals(o.reference().output().dup().data().asFloat(), again.output().dup().data().asFloat(),
                "same seeds over a perfect channel give the same image");
        boolean sendsSomething = got.totalBitsWithoutText() > 0;
        if (sendsSomething) {
            assertTrue(o.psnr() < 60, "a 0 dB channel changes the output: PSNR " + o.psnr());
        } else {
            assertEquals(Double.POSITIVE_INFINITY, o.psnr(), "nothing crosses the air in " + name);
        }
    }
}
