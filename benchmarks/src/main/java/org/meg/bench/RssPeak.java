package org.meg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * The peak process RSS since {@link #start}: javacpp's {@code Pointer.physicalBytes()} sampled every
 * 10 ms on a daemon thread, stopped by {@link #close}. Spikes shorter than 10 ms can be missed, so
 * {@link #vmHwm} (the kernel's high-water mark) is reported beside it.
 */
final class RssPeak implements AutoCloseable {
    private final AtomicLong peak;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread sampler;

    private RssPeak(long initial) {
        peak = new AtomicLong(initial);
        sampler = new Thread(() -> {
            while (running.get()) {
                peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts sampling, with {@code initial} bytes as the peak so far. */
    static RssPeak start(long initial) {
        return new RssPeak(initial);
    }

    /** The largest RSS seen so far, in bytes. */
    long peak() {
        return peak.get();
    }

    /** Stops the sampler and waits for it. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        sampler.join();
    }

    /** {@code VmHWM} of this process in bytes, or -1 where /proc is absent. */
    static long vmHwm() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
