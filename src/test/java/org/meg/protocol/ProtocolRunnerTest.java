package org.meg.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meg.metrics.LedgerEntry;
import org.meg.metrics.Link;
import org.meg.sampling.SeededNoise;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The runner on model-free stages: determinism, channels, ledger and timeline. */
class ProtocolRunnerTest {
    private static final INDArray IMAGE = SeededNoise.of(1).normal("img", 1, 3, 64, 64).muli(0.3);

    private static Network net(int n) {
        NodeProfile ue = new NodeProfile("UE", new ToyStages(), "toy", 0.5);
        NodeProfile es = new NodeProfile("ES", new ToyStages(), "toy", 2.0);
        return Network.of(ue, es, n);
    }

    private static RunResult run(String p, int n, RunSettings s) {
        return ProtocolRunner.run(Protocols.get(p), net(n), "a fish", IMAGE, s);
    }

    @Test
    void sameSeedGivesBitIdenticalOutputs() {
        RunSettings s = RunSettings.of(5, 0.0);
        float[] a = run("CIAG", 1, s).output().data().asFloat();
        float[] b = run("CIAG", 1, s).output().data().asFloat();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, run("CIAG", 1, s.withSeed(6)).output().data().asFloat()));
    }

    @Test
    void perfectChannelMatchesTheReference() {
        Experiment.Outcome o = Experiment.run(Protocols.get("UIEG"), net(1), "a fish", IMAGE, RunSettings.of(3, 10).perfectChannel());
        assertEquals(Double.POSITIVE_INFINITY, o.psnr());
        assertEquals(1.0, o.ssim(), 1e-12);
    }

    @Test
    void qualityFallsWithSnr() {
        double prev = Double.NEGATIVE_INFINITY;
        for (double snr : new double[] {-10, 0, 10, 20}) {
            double psnr = Experiment.run(Protocols.get("full-ES"), net(1), "x", IMAGE, RunSettings.of(3, snr)).psnr();
            assertTrue(psnr > prev, "PSNR at " + snr + " dB = " + psnr + " not above " + prev);
            prev = psnr;
        }
    }

    @Test
    void receivedSeedNoiseMatchesTheSnr() {
        // analog, unit-power normalisation: per-element error variance = mean square / SNR.
        // 4x8x8 = 256 values: the sample variance of 256 Gaussian errors is within 35 % of its
        // mean with probability > 1 - 1e-5 (chi-square, 256 dof).
        RunResult r = run("CIAG", 1, RunSettings.of(11, 0.0));
        INDArray sent = r.values().get("UE/seed");
        INDArray got = r.values().get("ES1/seed");
        double power = sent.mul(sent).meanNumber().doubleValue();
        double err = got.sub(sent).mul(got.sub(sent)).meanNumber().doubleValue();
        assertEquals(power, err, 0.35 * power);
    }

    @Test
    void ledgerAddsUpAndBroadcastIsCountedOnce() {
        RunResult r = run("UIDG", 3, RunSettings.of(2, 5));
        long sum = r.ledger().entries().stream().mapToLong(LedgerEntry::bits).sum();
        assertEquals(r.ledger().totalBits(), sum);
        long seedUp = r.ledger().entries().stream().filter(e -> e.link() == Link.UPLINK && e.message().equals("seed"))
                .mapToLong(LedgerEntry::bits).sum();
        assertEquals(4L * 8 * 8 * 8, seedUp);
        assertEquals(3, r.ledger().entries().stream().filter(e -> e.link() == Link.DOWNLINK).count());
    }

    @Test
    void parallelEdgeServersOverlapAndDownlinksQueue() {
        RunResult r = run("UIDG", 2, RunSettings.of(2, 5));
        List<RunResult.Event> denoise = r.events().stream().filter(e -> e.what().startsWith("denoise")).toList();
        assertEquals(2, denoise.size());
        assertEquals(denoise.get(0).start(), denoise.get(1).start(), 0.0, "ESs start together");
        List<RunResult.Event> down = r.events().stream().filter(e -> e.kind().equals("downlink")).toList();
        assertTrue(down.get(1).start() >= down.get(0).end(), "one downlink at a time into the UE");
        assertTrue(r.latencySeconds() >= down.get(1).end());
    }

    @Test
    void cooperativeMergeHasNoSeamOnAPerfectChannel() {
        Experiment.Outcome o = Experiment.run(Protocols.get("UIDCG"), net(2), "x", IMAGE, RunSettings.of(4, 30));
        assertEquals(List.of(32), o.noisy().seamColumns());
        assertTrue(Double.isFinite(o.seamRatio()));
    }

    @Test
    void badInputFailsBeforeCompute() {
        INDArray odd = SeededNoise.of(1).normal("img", 1, 3, 60, 64);
        assertThrows(IllegalArgumentException.class, () -> ProtocolRunner.run(Protocols.get("CIAG"), net(1), "x", odd, RunSettings.of(0, 0)));
        assertThrows(IllegalArgumentException.class, () -> RunSettings.of(0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LinkSettings.digital(0, 17, org.meg.channel.Modulation.QPSK));
        assertThrows(IllegalArgumentException.class, () -> Network.of(net(1).ue(), net(1).ue(), 0));
    }
}
