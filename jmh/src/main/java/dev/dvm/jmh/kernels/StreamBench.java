package dev.dvm.jmh.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * STREAM copy (c = a) and triad (a = b + q·c) over three 64 MiB f32 arrays with Vector API loops,
 * on 1 or 2 threads (each thread one contiguous part): the memory bandwidth dvm4j's GB/s is
 * compared with ({@link StreamKernel} counts the bytes).
 */
@State(Scope.Benchmark)
public class StreamBench extends BenchmarkDefaults {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final float Q = 3.0f;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;
    private ExecutorService helpers;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        a = arena.allocate(StreamKernel.ARRAY_BYTES, 64);
        b = arena.allocate(StreamKernel.ARRAY_BYTES, 64);
        c = arena.allocate(StreamKernel.ARRAY_BYTES, 64);
        // Fill every byte (0x3F3F3F3F ≈ 0.75f and so on), so every page is mapped before timing.
        a.fill((byte) 0x3F);
        b.fill((byte) 0x40);
        c.fill((byte) 0x3E);
        helpers = Executors.newFixedThreadPool(Math.max(1, threads - 1));
    }

    @Benchmark
    public void copy() {
        inParallel(this::copyRange);
    }

    @Benchmark
    public void triad() {
        inParallel(this::triadRange);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        helpers.shutdownNow();
        arena.close();
    }

    private interface ByteRange {
        void run(long from, long to);
    }

    private void inParallel(ByteRange work) {
        long step = SPECIES.vectorByteSize();
        long bytes = StreamKernel.ARRAY_BYTES;
        long part = (bytes / threads + step - 1) / step * step;
        Future<?>[] others = new Future<?>[threads - 1];
        for (int t = 1; t < threads; t++) {
            long from = t * part;
            others[t - 1] = helpers.submit(() -> work.run(from, Math.min(bytes, from + part)));
        }
        work.run(0, Math.min(bytes, part));
        try {
            for (Future<?> f : others) {
                f.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("STREAM helper thread failed", e);
        }
    }

    private void copyRange(long from, long to) {
        for (long i = from; i < to; i += SPECIES.vectorByteSize()) {
            FloatVector.fromMemorySegment(SPECIES, a, i, ORDER).intoMemorySegment(c, i, ORDER);
        }
    }

    private void triadRange(long from, long to) {
        for (long i = from; i < to; i += SPECIES.vectorByteSize()) {
            FloatVector vc = FloatVector.fromMemorySegment(SPECIES, c, i, ORDER);
            FloatVector.fromMemorySegment(SPECIES, b, i, ORDER).add(vc.mul(Q)).intoMemorySegment(a, i, ORDER);
        }
    }
}
