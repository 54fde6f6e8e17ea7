package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Streams: order within a stream and across streams through events, errors held for
 * synchronize, inline launches, confined arenas, close, and many launches through a small queue.
 * Every test is bounded in time; none asserts on speed.
 */
class StreamTest {
    @AutoClose
    private static final Device DEVICE = new Device(NpuSpec.host().withCores(2));

    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Never inline for size, so launches go through the worker. */
    private static final Stream.Options QUEUED = new Stream.Options(64, 0);

    private static final Kernel PLUS_ONE = unary("plus_one", false);
    private static final Kernel TIMES_TWO = unary("times_two", true);

    private static Kernel unary(String name, boolean doubles) {
        KernelBuilder b = new KernelBuilder(name);
        Value x = b.input(DType.F32, -1);
        b.output(doubles ? b.mul(x, 2.0) : b.add(x, 1.0));
        return b.build();
    }

    /** Declares 4 columns, so any other shape fails when the kernel runs. */
    private static Kernel needsFourColumns() {
        KernelBuilder b = new KernelBuilder("needs_4_columns");
        Value x = b.input(DType.F32, -1, 4);
        b.output(b.add(x, x));
        return b.build();
    }

    private static Tensor[] in(Tensor t) {
        return new Tensor[] {t};
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static DvmException assertMessage(Runnable r, String... parts) {
        DvmException e = assertThrows(DvmException.class, r::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message was: " + e.getMessage());
        }
        return e;
    }

    /** {@code count} plus_one launches ping-ponging between a and b; the result lands in a (count even). */
    private static void chain(Stream s, Tensor a, Tensor b, int count) {
        for (int i = 0; i < count; i += 2) {
            s.launch(PLUS_ONE, in(a), in(b));
            s.launch(PLUS_ONE, in(b), in(a));
        }
    }

    @Test
    void dependentLaunchesRunInOrderAndTheArraysMayBeReused() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Arena arena = Arena.ofShared(); Stream s = new Stream(DEVICE, QUEUED)) {
                Tensor a = Tensor.of(arena, filled(1000, 3f), 1000);
                Tensor b = Tensor.allocate(arena, DType.F32, 1000);
                Tensor c = Tensor.allocate(arena, DType.F32, 1000);
                chain(s, a, b, 100);
                Tensor[] ins = in(a);
                Tensor[] outs = in(c);
                s.launch(TIMES_TWO, ins, outs);
                ins[0] = b;   // the stream copied the references: this launch still reads a
                outs[0] = b;
                s.synchronize();
                assertArrayEquals(filled(1000, 103f), a.toFloatArray());
                assertArrayEquals(filled(1000, 206f), c.toFloatArray());
                assertEquals(0, s.inlineLaunches());
            }
        });
    }

    @Test
    void anEventOrdersAnotherStreamsLaterLaunches() {
        assertTimeoutPreemptively(LIMIT, () -> {
            int n = 1 << 16;
            try (Arena arena = Arena.ofShared();
                    Stream producer = new Stream(DEVICE, QUEUED);
                    Stream consumer = new Stream(DEVICE, QUEUED)) {
                Tensor a = Tensor.of(arena, filled(n, 0f), n);
                Tensor b = Tensor.allocate(arena, DType.F32, n);
                Tensor doubled = Tensor.allocate(arena, DType.F32, n);
                chain(producer, a, b, 200);
                StreamEvent produced = producer.record();
                consumer.waitFor(produced);
                consumer.launch(TIMES_TWO, in(a), in(doubled));  // without the wait it would read a mid-chain
                consumer.synchronize();
                assertTrue(produced.isDone(), "the consumer's launch ran after the event");
                assertArrayEquals(filled(n, 400f), doubled.toFloatArray());
                producer.synchronize();
                StreamEvent idle = producer.record();
                assertTrue(idle.isDone(), "an event on an idle stream is done at once");
                idle.await();
            }
        });
    }

    @Test
    void awaitReturnsOnceTheRecordedWorkHasRun() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Arena arena = Arena.ofShared(); Stream s = new Stream(DEVICE, QUEUED)) {
                Tensor a = Tensor.of(arena, filled(4096, 1f), 4096);
                Tensor b = Tensor.allocate(arena, DType.F32, 4096);
                chain(s, a, b, 50);
                StreamEvent e = s.record();
                e.await();
                assertTrue(e.isDone());
                assertArrayEquals(filled(4096, 51f), a.toFloatArray());
            }
        });
    }

    @Test
    void synchronizeRaisesTheFirstFailureNamingTheKernelAndSkipsLaterLaunches() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Arena arena = Arena.ofShared(); Stream s = new Stream(DEVICE, QUEUED)) {
                Tensor a = Tensor.of(arena, filled(8, 1f), 8);
                Tensor b = Tensor.allocate(arena, DType.F32, 8);
                Tensor c = Tensor.allocate(arena, DType.F32, 8);
                Tensor wrong = Tensor.allocate(arena, DType.F32, 3, 5);
                Tensor wrongOut = Tensor.allocate(arena, DType.F32, 3, 5);
                s.launch(PLUS_ONE, in(a), in(b));               // launch 0 runs
                s.launch(needsFourColumns(), in(wrong), in(wrongOut)); // launch 1 fails when it runs, not here
                s.launch(PLUS_ONE, in(b), in(c));               // launch 2 is skipped
                s.launch(TIMES_TWO, in(b), in(a));              // launch 3 is skipped
                DvmException e = assertMessage(s::synchronize, s.name(), "needs_4_columns", "launch 1", "2 later launches were skipped");
                assertInstanceOf(DvmException.class, e.getCause(), "the kernel's own error is the cause");
                assertTrue(e.getCause().getMessage().contains("needs_4_columns"));
                assertArrayEquals(filled(8, 2f), b.toFloatArray());
                assertArrayEquals(filled(8, 0f), c.toFloatArray(), "skipped: outputs untouched");
                assertArrayEquals(filled(8, 1f), a.toFloatArray(), "skipped: outputs untouched");

                s.synchronize();                                // reported once, then cleared
                s.launch(PLUS_ONE, in(b), in(c));
                s.synchronize();
                assertArrayEquals(filled(8, 3f), c.toFloatArray(), "the stream runs launches again");
            }
        });
    }

    @Test
    void aClosedArenaIsReportedAtSynchronize() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Arena live = Arena.ofShared(); Stream s = new Stream(DEVICE, QUEUED)) {
                Arena gone = Arena.ofShared();
                Tensor dead = Tensor.allocate(gone, DType.F32, 8);
                gone.close();
                s.launch(PLUS_ONE, in(dead), in(Tensor.allocate(live, DType.F32, 8)));
                DvmException e = assertMessage(s::synchronize, "plus_one", "launch 0", "arena closed");
                assertNotNull(e.getCause());
            }
        });
    }

    @Test
    void smallKernelsOnAnIdleStreamRunInlineWithTheSameResultsAndErrors() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Arena arena = Arena.ofShared(); Stream s = new Stream(DEVICE, new Stream.Options(64, 1_000))) {
                Tensor a = Tensor.of(arena, filled(100, 5f), 100);
                Tensor b = Tensor.allocate(arena, DType.F32, 100);
                s.launch(TIMES_TWO, in(a), in(b));
                assertEquals(1, s.inlineLaunches());
                assertArrayEquals(filled(100, 10f), b.toFloatArray(), "ran before launch returned");

                Tensor big = Tensor.of(arena, filled(1000, 5f), 1000);
                Tensor bigOut = Tensor.allocate(arena, DType.F32, 1000);
                s.launch(TIMES_TWO, in(big), in(bigOut));      // 2,000 elements: queued
                s.synchronize();
                assertEquals(1, s.inlineLaunches());
                assertArrayEquals(filled(1000, 10f), bigOut.toFloatArray());

                Tensor wrong = Tensor.allocate(arena, DType.F32, 2, 3);
                s.launch(needsFourColumns(), in(wrong), in(Tensor.allocate(arena, DType.F32, 2, 3)));  // inline: no throw here
                assertEquals(2, s.inlineLaunches());
                s.launch(TIMES_TWO, in(b), in(a));             // skipped after the inline failure
                assertMessage(s::synchronize, "needs_4_columns", "launch 2", "1 later launch was skipped");
                assertArrayEquals(filled(100, 5f), a.toFloatArray());
            }
        });
    }

    @Test
    void confinedTensorsRunInlineOnAnIdleStream() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Arena arena = Arena.ofConfined(); Stream s = new Stream(DEVICE, QUEUED)) {
                Tensor a = Tensor.of(arena, filled(20_000, 2f), 20_000);
                Tensor b = Tensor.allocate(arena, DType.F32, 20_000);
                s.launch(TIMES_TWO, in(a), in(b));             // large, but only this thread may touch it
                assertEquals(1, s.inlineLaunches());
                assertArrayEquals(filled(20_000, 4f), b.toFloatArray());
                s.synchronize();
            }
        });
    }

    @Test
    void confinedTensorsOnABusyStreamAreRejectedNamingTheTensorAndTheFix() {
        assertTimeoutPreemptively(LIMIT, () -> {
            int n = 1 << 18;
            try (Arena shared = Arena.ofShared();
                    Arena confined = Arena.ofConfined();
                    Stream s = new Stream(DEVICE, new Stream.Options(1024, 0))) {
                Tensor a = Tensor.allocate(shared, DType.F32, n);
                Tensor b = Tensor.allocate(shared, DType.F32, n);
                chain(s, a, b, 1000);                          // ~0.1 s of work keeps the stream busy
                Tensor own = Tensor.allocate(confined, DType.F32, 8);
                assertMessage(() -> s.launch(PLUS_ONE, in(Tensor.allocate(shared, DType.F32, 8)), in(own)),
                        "kernel 'plus_one' output 0", "confined", "busy", "Arena.ofShared()");
                s.synchronize();
                assertArrayEquals(filled(n, 1000f), a.toFloatArray());
            }
        });
    }

    @Test
    void tensorsConfinedToAnotherThreadAreRejected() throws Exception {
        try (Arena other = Arena.ofConfined(); Stream s = new Stream(DEVICE, QUEUED)) {
            Tensor foreign = Tensor.allocate(other, DType.F32, 8);
            Tensor out = Tensor.allocate(Arena.ofAuto(), DType.F32, 8);
            DvmException[] thrown = new DvmException[1];
            Thread t = new Thread(() -> thrown[0] = assertThrows(DvmException.class, () -> s.launch(PLUS_ONE, in(foreign), in(out))));
            t.start();
            t.join(LIMIT.toMillis());
            assertNotNull(thrown[0]);
            String message = thrown[0].getMessage();
            assertTrue(message.contains("plus_one' input 0") && message.contains("another thread"), message);
        }
    }

    @Test
    void closeDrainsStopsTheWorkerReportsAPendingFailureAndRejectsLaterUse() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Arena arena = Arena.ofShared()) {
                Tensor a = Tensor.of(arena, filled(4096, 0f), 4096);
                Tensor b = Tensor.allocate(arena, DType.F32, 4096);
                Stream s = new Stream(DEVICE, QUEUED);
                String worker = "dvm-" + s.name();
                chain(s, a, b, 100);
                s.close();
                assertArrayEquals(filled(4096, 100f), a.toFloatArray(), "close ran everything queued");
                assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(worker)), "worker stopped");
                assertMessage(() -> s.launch(PLUS_ONE, in(a), in(b)), "closed stream");
                assertMessage(s::record, "closed stream");
                s.synchronize();                               // nothing pending
                s.close();                                     // again: nothing

                Stream failing = new Stream(DEVICE, QUEUED);
                failing.launch(needsFourColumns(), in(a), in(b));
                assertMessage(failing::close, "needs_4_columns", "launch 0");
                failing.close();                               // reported once
            }
        });
    }

    @Test
    void badArgumentsAreRejectedAtLaunch() {
        try (Arena arena = Arena.ofShared(); Stream s = new Stream(DEVICE, QUEUED)) {
            Tensor a = Tensor.allocate(arena, DType.F32, 8);
            assertMessage(() -> s.launch(null, in(a), in(a)), "kernel must not be null");
            assertMessage(() -> s.launch(PLUS_ONE, new Tensor[] {a, a}, in(a)), "plus_one", "2 inputs given but it has 1");
            assertMessage(() -> s.launch(PLUS_ONE, in(a), new Tensor[1]), "plus_one", "output 0: null tensor");
            assertMessage(() -> s.waitFor(null), "waitFor(null)");
            assertMessage(() -> new Stream.Options(0, 0), "capacity 0");
            assertMessage(() -> new Stream.Options(8, -1), "inlineElements -1");
            s.synchronize();                                   // nothing was queued by the rejected launches
        }
    }

    @Test
    void tenThousandLaunchesThroughTinyQueuesPingPongingOnEventsNeverDeadlock() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Stream.Options tiny = new Stream.Options(2, 0);
            try (Arena arena = Arena.ofShared();
                    Stream s1 = new Stream(DEVICE, tiny);
                    Stream s2 = new Stream(DEVICE, new Stream.Options(3, 64))) {
                Tensor x = Tensor.of(arena, filled(16, 0f), 16);
                Tensor y = Tensor.allocate(arena, DType.F32, 16);
                for (int i = 0; i < 5_000; i++) {
                    s1.launch(PLUS_ONE, in(x), in(y));
                    s2.waitFor(s1.record());
                    s2.launch(PLUS_ONE, in(y), in(x));         // inline when s2 is idle, queued otherwise
                    s1.waitFor(s2.record());
                }
                s1.synchronize();
                s2.synchronize();
                assertArrayEquals(filled(16, 10_000f), x.toFloatArray());
            }
        });
    }
}
