package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The byte-bounded LRU kernel cache: eviction order, counters, sharing, and concurrent use. */
class KernelCacheTest {
    private static final NpuSpec SPEC = NpuSpec.host().withCores(2);
    @AutoClose
    private static final Device DEVICE = new Device(SPEC);

    /** {@code x * 2 + 1} over a dynamic 1-D input. */
    private static Kernel affine(String name) {
        KernelBuilder kb = new KernelBuilder(name);
        kb.output(kb.add(kb.mul(kb.input(DType.F32, -1), 2.0), 1.0));
        return kb.build();
    }

    /** The chain of DemoKernels.elementwise10: ((exp(-√|1.5x + 0.25|) + x) max -1)·0.5 - 0.125 over [-1, -1]. */
    private static Kernel elementwise10() {
        KernelBuilder kb = new KernelBuilder("elementwise10");
        Value x = kb.input(DType.F32, -1, -1);
        Value v = kb.exp(kb.neg(kb.sqrt(kb.abs(kb.add(kb.mul(x, 1.5), 0.25)))));
        kb.output(kb.sub(kb.mul(kb.maximum(kb.add(v, x), -1.0), 0.5), 0.125));
        return kb.build();
    }

    private static KernelInstance at(Kernel k, long n) {
        return k.normalize(SPEC, new long[] {n});
    }

    /** Bytes one instance of {@code affine} at {@code n} elements takes in a cache. */
    private static long entryBytes(long n) {
        KernelCache probe = new KernelCache(1 << 20);
        at(affine("probe").useCache(probe), n);
        return probe.stats().bytes();
    }

    @Test
    void evictsTheLeastRecentlyUsedInstanceToStayWithinTheBudget() {
        KernelCache cache = new KernelCache(1 << 20);
        Kernel k = affine("lru").useCache(cache);
        KernelInstance eight = at(k, 8);
        at(k, 16);
        at(k, 24);
        // Entries differ a little in size (the first of a structure on a thread shares fewer arrays):
        // room for these three and about half of one more.
        long three = cache.stats().bytes();
        cache.setBudgetBytes(three + three / 6);
        assertEquals(0, cache.stats().evictions());
        assertSame(eight, at(k, 8), "a hit returns the cached instance and makes it the most recent");
        at(k, 32); // evicts 16, the least recently used
        KernelCache.Stats s = cache.stats();
        assertEquals(3, s.entries());
        assertEquals(1, s.evictions());
        assertEquals(4, s.misses());
        assertEquals(1, s.hits());
        assertEquals(4, s.encodes());
        assertTrue(s.bytes() <= s.budgetBytes(), s.toString());
        assertEquals(s.bytes() / 3, s.bytesPerEntry());
        assertSame(eight, at(k, 8), "8 was used after 16, so it stayed");
        assertEquals(2, cache.stats().hits());
        at(k, 16);
        assertEquals(5, cache.stats().misses(), "16 was evicted");
        assertEquals(2, cache.stats().evictions(), "bringing it back evicted the next least recent (24)");
        Kernel.Stats ks = k.stats();
        assertEquals(2, ks.hits());
        assertEquals(5, ks.misses());
        assertEquals(2, ks.evictions());
        assertEquals(5, ks.encodes());
        assertTrue(ks.encodeNanos() > 0);
    }

    @Test
    void oneCacheServesManyKernelsAndKeepsThemApart() {
        KernelCache cache = new KernelCache(1 << 20);
        Kernel a = affine("a").useCache(cache);
        Kernel b = affine("b").useCache(cache);
        KernelInstance ai = at(a, 100);
        KernelInstance bi = at(b, 100);
        assertNotSame(ai, bi, "equal layouts of two kernels are two entries");
        assertSame(a, ai.kernel());
        assertSame(bi, at(b, 100));
        assertEquals(2, cache.stats().entries());
        assertSame(cache, a.cache());
    }

    @Test
    void everyHeldInstanceIsFoundAfterManyEvictions() {
        // Thousands of evictions move entries back within their probe runs; none may become unreachable.
        KernelCache cache = new KernelCache(200 * entryBytes(1));
        Kernel k = affine("churn").useCache(cache);
        SplittableRandom random = new SplittableRandom(7);
        List<Long> recent = new ArrayList<>();
        List<KernelInstance> made = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            long n = 1 + random.nextLong(20_000);
            recent.add(n);
            made.add(at(k, n));
        }
        KernelCache.Stats s = cache.stats();
        assertEquals(s.misses() - s.evictions(), s.entries(), cache.toString());
        assertTrue(s.evictions() > 4_000, cache.toString());
        long hits = s.hits();
        // the last 100 lookups are held (the budget holds about 200): each must be found, not encoded again
        for (int i = recent.size() - 100; i < recent.size(); i++) {
            assertSame(made.get(i), at(k, recent.get(i)), "shape " + recent.get(i));
        }
        assertEquals(hits + 100, cache.stats().hits());
    }

    @Test
    void aSmallerBudgetEvictsAndAZeroBudgetKeepsNothing() {
        KernelCache cache = new KernelCache(1 << 20);
        Kernel k = affine("budget").useCache(cache);
        for (int n = 1; n <= 10; n++) {
            at(k, n);
        }
        assertEquals(10, cache.stats().entries());
        long perEntry = cache.stats().bytesPerEntry();
        cache.setBudgetBytes(4 * perEntry);
        assertTrue(cache.stats().entries() <= 4 && cache.stats().bytes() <= 4 * perEntry, cache.toString());
        cache.clear();
        assertEquals(0, cache.stats().entries());
        assertEquals(0, cache.stats().bytes());
        assertEquals(10, cache.stats().evictions());
        cache.setBudgetBytes(0);
        KernelInstance first = at(k, 5);
        assertNotSame(first, at(k, 5), "nothing is kept");
        assertEquals(0, cache.stats().entries());
        DvmException negative = assertThrows(DvmException.class, () -> new KernelCache(-1));
        assertTrue(negative.getMessage().contains("negative"), negative.getMessage());
        assertThrows(DvmException.class, () -> k.useCache(null));
    }

    @Test
    void stridedAndContiguousLayoutsAreDistinctEntriesAndContiguousOutputsShareOne() {
        KernelCache cache = new KernelCache(1 << 20);
        KernelBuilder kb = new KernelBuilder("t");
        kb.output(kb.neg(kb.input(DType.F32, -1, -1)));
        Kernel k = kb.build().useCache(cache);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.allocate(arena, DType.F32, 4, 6);
            Tensor[] ins = {x};
            KernelInstance allocated = k.normalize(SPEC, ins, null);
            assertSame(allocated, k.normalize(SPEC, ins, new Tensor[] {Tensor.allocate(arena, DType.F32, 4, 6)}));
            assertSame(allocated, k.normalize(SPEC, new long[] {4, 6}));
            KernelInstance permuted = k.normalize(SPEC, new Tensor[] {Tensor.allocate(arena, DType.F32, 6, 4).permute(1, 0)}, null);
            assertNotSame(allocated, permuted);
            KernelInstance stridedOut = k.normalize(SPEC, ins, new Tensor[] {Tensor.allocate(arena, DType.F32, 4, 12).slice(1, 0, 12, 2)});
            assertNotSame(allocated, stridedOut);
            assertEquals(3, cache.stats().entries());
            // a size-1 dim's stride never matters: a [1, 4] view with strides [1, 1] is the contiguous [1, 4]
            KernelInstance row = k.normalize(SPEC, new Tensor[] {Tensor.allocate(arena, DType.F32, 4, 1).permute(1, 0)}, null);
            assertSame(row, k.normalize(SPEC, new long[] {1, 4}));
        }
    }

    @Test
    void anElementwise10InstanceIsAccountedAndStaysWithinOneKibibyte() {
        KernelCache cache = new KernelCache(1 << 20);
        Kernel k = elementwise10().useCache(cache);
        for (int s = 1; s <= 16; s++) {
            k.normalize(SPEC, new long[] {s, 256 + 3 * s});
        }
        KernelCache.Stats stats = cache.stats();
        System.out.println("elementwise10: " + stats.bytesPerEntry() + " bytes per cached instance (" + stats + ")");
        assertEquals(16, stats.entries());
        // issue 4: at most 1 KiB per cached instance of a 10-op kernel
        assertTrue(stats.bytesPerEntry() <= 1024, stats.toString());
    }

    @Test
    void theBytesAccountedPerInstanceAreTheHeapTheInstancesTake() {
        int n = 20_000;
        KernelCache cache = new KernelCache(1L << 40);
        Kernel k = elementwise10().useCache(cache);
        // the kernel's encoder, its plans and verified structure, and the decoder's tables exist before the count starts
        k.normalize(SPEC, new long[] {1, 1});
        long before = heapUsedAfterGc();
        for (int i = 0; i < n; i++) {
            k.normalize(SPEC, new long[] {2 + i / 200, 256 + i % 200});
        }
        long after = heapUsedAfterGc();
        KernelCache.Stats stats = cache.stats();
        assertEquals(n + 1, stats.entries());
        double measured = (after - before) / (double) n;
        long accounted = stats.bytesPerEntry();
        System.out.printf("elementwise10, %d instances: %d bytes accounted, %.0f bytes measured per cached instance%n", n, accounted, measured);
        // the hash table's slots are not accounted; GC timing blurs the rest
        assertTrue(measured > 0.75 * accounted && measured < 1.25 * accounted, "measured " + measured + ", accounted " + accounted);
    }

    /** Heap bytes in use once collections stop freeing anything. */
    private static long heapUsedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }

    @Test
    void fourThreadsWithRandomShapesOnATightCacheGetRightResults() throws Exception {
        Kernel k = affine("concurrent");
        long size = entryBytes(8);
        k.useCache(new KernelCache(4 * size));
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    Launch call = k.newLaunch();
                    int runs = 0;
                    try (Arena arena = Arena.ofConfined()) {
                        for (int i = 0; i < 300; i++) {
                            int n = 1 + random.nextInt(12);
                            float[] xs = new float[n];
                            for (int j = 0; j < n; j++) {
                                xs[j] = (float) random.nextDouble(-10, 10);
                            }
                            Tensor out = Tensor.allocate(arena, DType.F32, n);
                            call.input(0, Tensor.of(arena, xs, n)).output(0, out).run(DEVICE);
                            float[] expected = new float[n];
                            for (int j = 0; j < n; j++) {
                                expected[j] = xs[j] * 2f + 1f;
                            }
                            assertArrayEquals(expected, out.toFloatArray());
                            runs++;
                        }
                    }
                    return runs;
                }));
            }
            int runs = 0;
            for (Future<Integer> f : done) {
                runs += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * 300, runs);
        } finally {
            pool.shutdownNow();
        }
        KernelCache.Stats s = k.cache().stats();
        assertEquals(threads * 300, s.hits() + s.misses());
        assertEquals(threads * 300, k.stats().launches());
        assertTrue(s.bytes() <= s.budgetBytes() && s.entries() <= 12, s.toString());
        assertTrue(s.evictions() > 0 && s.misses() >= 12, s.toString());
    }
}
