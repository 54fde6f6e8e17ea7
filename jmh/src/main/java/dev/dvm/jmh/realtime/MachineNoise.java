package dev.dvm.jmh.realtime;

import java.util.Locale;

/**
 * How often this machine stops a running thread, read beside {@code ./dvm bench realtime}'s tail
 * latencies. One thread reads {@link System#nanoTime()} in a tight loop for {@value #SECONDS} s and
 * counts the gaps between consecutive readings longer than 5, 20 and 50 µs: time the thread was not
 * running (the hypervisor, the kernel, a safepoint), not work of its own.
 *
 * <p>An operation of d µs is stretched past 20 µs when such a gap falls inside it, which happens to
 * about {@code rate20 · d} of its samples. A p99.9 of at most 20 µs therefore needs
 * {@code rate20 · d < 0.1 %}: the table prints the longest operation for which the machine allows
 * it. Above that, a p99.9 over 20 µs is the machine's, whatever the code does.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.dvm.jmh.realtime.MachineNoise}
 */
public final class MachineNoise {
    private static final int SECONDS = 10;
    private static final long[] THRESHOLDS_NANOS = {5_000, 20_000, 50_000};
    private static final double P999_SHARE = 0.001;

    private MachineNoise() {}

    public static void main(String[] args) {
        long[] gaps = new long[THRESHOLDS_NANOS.length];
        long longest = 0;
        long previous = System.nanoTime();
        long end = previous + SECONDS * 1_000_000_000L;
        while (previous < end) {
            long now = System.nanoTime();
            long gap = now - previous;
            previous = now;
            longest = Math.max(longest, gap);
            for (int t = 0; t < gaps.length; t++) {
                if (gap > THRESHOLDS_NANOS[t]) {
                    gaps[t]++;
                }
            }
        }
        double rate20 = (double) gaps[1] / SECONDS;
        System.out.printf(Locale.ROOT, """

                ### Machine noise: gaps in a thread's run over %d s

                | gaps > 5 µs per s | > 20 µs per s | > 50 µs per s | longest gap | longest op with p99.9 ≤ 20 µs possible |
                |---|---|---|---|---|
                | %.0f | %.0f | %.0f | %.0f µs | %s |
                """, SECONDS, (double) gaps[0] / SECONDS, rate20, (double) gaps[2] / SECONDS, longest / 1e3,
                rate20 == 0 ? "any" : String.format(Locale.ROOT, "%.2f µs", P999_SHARE / rate20 * 1e6));
    }
}
