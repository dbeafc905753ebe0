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

    /** With {@code -Dmeg.rssTrace=true}, each new peak 16 MB or more above the last one printed is printed with where the caller's thread was. */
    private static final boolean TRACE = Boolean.getBoolean("meg.rssTrace");

    private RssPeak(long initial) {
        peak = new AtomicLong(initial);
        Thread caller = Thread.currentThread();
        long[] printed = {initial};
        sampler = new Thread(() -> {
            while (running.get()) {
                long now = peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                if (TRACE && now >= printed[0] + (16 << 20)) {
                    printed[0] = now;
                    StringBuilder where = new StringBuilder();
                    for (StackTraceElement e : caller.getStackTrace()) {
                        if (e.getClassName().startsWith("org.meg.") && where.length() < 400) {
                            where.append(' ').append(e.getClassName().substring(8)).append('.').append(e.getMethodName())
                                    .append(':').append(e.getLineNumber());
                        }
                    }
                    System.out.printf(java.util.Locale.ROOT, "  rss peak %.0f MB at%s%n", now / (1024.0 * 1024.0), where);
                }
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

    /**
     * The largest mappings of this process by resident size, from {@code /proc/self/smaps}: "start-end
     * perms name: Rss MB", at most {@code top} of them (empty where /proc is absent).
     */
    static java.util.List<String> largestMappings(int top) throws IOException {
        Path smaps = Path.of("/proc/self/smaps");
        if (!Files.exists(smaps)) {
            return java.util.List.of();
        }
        java.util.List<String[]> maps = new java.util.ArrayList<>();
        String header = null;
        for (String line : Files.readAllLines(smaps)) {
            if (Character.isDigit(line.charAt(0)) || (line.charAt(0) >= 'a' && line.charAt(0) <= 'f' && line.contains("-"))) {
                header = line;
            } else if (line.startsWith("Rss:") && header != null) {
                maps.add(new String[] {header, line.replaceAll("[^0-9]", "")});
            }
        }
        maps.sort((a, b) -> Long.compare(Long.parseLong(b[1]), Long.parseLong(a[1])));
        java.util.List<String> out = new java.util.ArrayList<>();
        long total = 0;
        for (String[] m : maps) {
            total += Long.parseLong(m[1]);
        }
        out.add(String.format(java.util.Locale.ROOT, "%d mappings, %.0f MB resident", maps.size(), total / 1024.0));
        for (int i = 0; i < Math.min(top, maps.size()); i++) {
            String[] f = maps.get(i)[0].trim().split("\\s+");
            long[] range = java.util.Arrays.stream(f[0].split("-")).mapToLong(x -> Long.parseUnsignedLong(x, 16)).toArray();
            out.add(String.format(java.util.Locale.ROOT, "  %7.1f MB of %7.1f MB %s %s", Long.parseLong(maps.get(i)[1]) / 1024.0,
                    (range[1] - range[0]) / 1048576.0, f[1], f.length > 5 ? f[5] : "[anon]"));
        }
        return out;
    }
}
