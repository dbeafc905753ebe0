package org.meg.protocol;

import org.meg.channel.Modulation;
import org.meg.metrics.LedgerSnapshot;
import org.meg.protocol.dsl.ProtocolScript;
import org.meg.protocol.stage.ShapeStages;
import org.meg.sampling.SeededNoise;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The bit ledger of a protocol without running a model (the paper's Fig. 6). */
public final class Overhead {
    private Overhead() {
    }

    /**
     * Runs {@code script} on shape-only stages over perfect channels.
     *
     * @param width  image width in pixels (multiple of 8)
     * @param height image height in pixels (multiple of 8)
     * @param bits   bits per transmitted value
     * @param n      number of edge servers
     * @param prompt the text sent (its bits are on their own ledger line)
     */
    public static LedgerSnapshot of(ProtocolScript script, int width, int height, int bits, int n, String prompt) {
        if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " must be positive multiples of 8");
        }
        NodeProfile node = new NodeProfile("node", ShapeStages.of(2), "shape-only", 1.0);
        Network net = Network.of(node, node, n);
        RunSettings rs = RunSettings.of(0, 0.0).withLink(LinkSettings.digital(0.0, bits, Modulation.QPSK)).perfectChannel();
        INDArray image = SeededNoise.of(0).normal("image", 1, 3, height, width);
        return ProtocolRunner.run(script, net, prompt, image, rs).ledger();
    }
}
