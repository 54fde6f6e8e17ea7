package dev.dvm.tests.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Four threads launching the demo kernels with random shapes on one shared device
 * ({@link ConcurrentLaunchWorkload}): no wrong result, no deadlock. Runs 10 s by default;
 * {@code -Ddvm.realtime.seconds=60} lengthens it and {@code -Ddvm.seed=S} repeats a run's cases
 * (the interleaving of threads differs from run to run). {@code ./dvm fuzz --target realtime} runs it
 * for minutes.
 */
class ConcurrentLaunchTest {
    private static final Duration DURATION = Duration.ofSeconds(Long.getLong("dvm.realtime.seconds", 10));
    /** Past the run and the workload's own stall limit, the test itself is stuck. */
    private static final Duration TIMEOUT = DURATION.plusSeconds(ConcurrentLaunchWorkload.STALL_SECONDS + 30);

    @Test
    void fourThreadsLaunchingRandomShapesOnASharedDeviceGetCorrectResults() {
        long seed = Long.getLong("dvm.seed", System.nanoTime());
        ConcurrentLaunchWorkload.Summary summary = assertTimeoutPreemptively(TIMEOUT, () -> {
            try (ConcurrentLaunchWorkload workload = new ConcurrentLaunchWorkload()) {
                return workload.run(seed, DURATION);
            }
        }, () -> "no result within " + TIMEOUT + " (deadlock?), seed " + seed);
        System.out.println(summary.report());
        assertEquals(0, summary.failureCount(), summary::report);
        assertTrue(summary.cases() >= 4 * ConcurrentLaunchWorkload.THREADS,
                () -> "only " + summary.cases() + " cases ran: the threads hardly launched anything; " + summary.report());
    }

    @Test
    void aCaseRunsAloneFromItsSeed() {
        try (ConcurrentLaunchWorkload workload = new ConcurrentLaunchWorkload()) {
            for (long caseSeed = 1; caseSeed <= 24; caseSeed++) {
                assertEquals(null, workload.checkCase(caseSeed), "case seed " + caseSeed);
            }
        }
    }
}
