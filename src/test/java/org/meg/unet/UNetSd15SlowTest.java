package org.meg.unet;

import org.meg.io.RandomWeights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One full-size SD 1.5 U-Net step (random weights made in process) at a 64x64 latent (512x512
 * image), batch 2, reporting time and peak memory. Opt-in: {@code -Dmeg.slow=true}.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "meg.slow", matches = "true")
class UNetSd15SlowTest {
    private static final long MB = 1024 * 1024;

    @Test
    void oneStepAt64x64Batch2() throws InterruptedException {
        UNetConfig cfg = UNetConfig.sd15();
        try (MemoryPeak peak = MemoryPeak.start()) {
            long t0 = System.nanoTime();
            Weights w = Weights.of(RandomWeights.of(OriginalLayout.keys(cfg), 1234));
            UNet unet = UNet.load(w, cfg);
            w.requireAllTaken(k -> false);
            long t1 = System.nanoTime();
            INDArray sample = Nd4j.randn(1L, new long[] {2, 4, 64, 64});
            INDArray context = Nd4j.randn(2L, new long[] {2, 77, 768});
            Map<String, Long> stamps = new LinkedHashMap<>();
            INDArray eps = unet.forward(sample, new double[] {981}, context, (name, a) -> stamps.put(name, System.nanoTime()));
            long t2 = System.nanoTime();
            assertArrayEquals(new long[] {2, 4, 64, 64}, eps.shape());
            assertFalse(eps.isNaN().any() || eps.isInfinite().any(), "finite");
            System.out.printf("SD 1.5 U-Net, 64x64 latent, batch 2: load (random weights) %.1f s, one forward %.1f s; "
                            + "peak JVM heap %d MB, peak ND4J-tracked off-heap %d MB, peak process RSS %d MB "
                            + "(eps std %.3f)%n",
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, peak.heap() / MB, peak.offHeap() / MB, peak.rss() / MB,
                    eps.stdNumber().doubleValue());
            StringBuilder stages = new StringBuilder("  stage times:");
            long prev = t1;
            for (Map.Entry<String, Long> e : stamps.entrySet()) {
                stages.append(String.format(" %s %.1f s,", e.getKey(), (e.getValue() - prev) / 1e9));
                prev = e.getValue();
            }
            System.out.println(stages.append(String.format(" conv_out %.1f s", (t2 - prev) / 1e9)));
            assertEquals(List.of(), w.untaken(k -> false));
        }
    }

    /**
     * Samples heap, ND4J's count of off-heap bytes and the process RSS (javacpp {@code Pointer.physicalBytes})
     * every 20 ms, keeping the maxima.
     */
    private static final class MemoryPeak implements AutoCloseable {
        private final AtomicLong heap = new AtomicLong();
        private final AtomicLong offHeap = new AtomicLong();
        private final AtomicLong rss = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private MemoryPeak() {
            thread = new Thread(() -> {
                Runtime rt = Runtime.getRuntime();
                while (running.get()) {
                    sample(rt);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "memory-peak");
            thread.setDaemon(true);
        }

        static MemoryPeak start() {
            MemoryPeak p = new MemoryPeak();
            p.thread.start();
            return p;
        }

        private void sample(Runtime rt) {
            heap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
            offHeap.accumulateAndGet(Nd4j.getMemoryManager().allocatedMemory(0), Math::max);
            rss.accumulateAndGet(Pointer.physicalBytes(), Math::max);
        }

        long heap() {
            return heap.get();
        }

        long offHeap() {
            return offHeap.get();
        }

        long rss() {
            return rss.get();
        }

        @Override
        public void close() throws InterruptedException {
            sample(Runtime.getRuntime());
            running.set(false);
            thread.join();
        }
    }
}
