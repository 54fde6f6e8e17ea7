package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Static kernels (every input dim known when built) and the per-kernel counters. */
class KernelTest {
    @AutoClose
    private static final Device DEVICE = new Device(NpuSpec.host().withCores(2));

    /** {@code x + y} over [3, 5] and [5]. */
    private static Kernel staticAdd(String name) {
        KernelBuilder kb = new KernelBuilder(name);
        kb.output(kb.add(kb.input(DType.F32, 3, 5), kb.input(DType.F32, 5)));
        return kb.build();
    }

    @Test
    void aStaticKernelIsEncodedOnceAndKeptOutsideTheCache() {
        Kernel k = staticAdd("static_add").useCache(new KernelCache(1 << 20));
        assertTrue(k.isStatic());
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, LaunchTest.ramp(15, 1f, 0f), 3, 5);
            Tensor y = Tensor.of(arena, LaunchTest.ramp(5, -2f, 1f), 5);
            Tensor out = Tensor.allocate(arena, DType.F32, 3, 5);
            Launch call = k.newLaunch().input(0, x).input(1, y).output(0, out);
            for (int i = 0; i < 50; i++) {
                call.run(DEVICE);
            }
            float[] expected = new float[15];
            for (int i = 0; i < 15; i++) {
                expected[i] = i + (-2f * (i % 5) + 1f);
            }
            assertArrayEquals(expected, out.toFloatArray());
            Kernel.Stats s = k.stats();
            assertEquals(1, s.encodes());
            assertEquals(1, s.misses());
            assertEquals(49, s.hits());
            assertEquals(50, s.launches());
            assertEquals(0, k.cache().stats().entries(), "the kept instance is not the cache's to evict");
            assertEquals(0, k.cache().stats().hits() + k.cache().stats().misses() - 1, "launches after the first never look in the cache");
            KernelInstance kept = call.instance(DEVICE);
            assertSame(kept, k.normalize(DEVICE.spec(), new long[] {3, 5}, new long[] {5}));
            assertSame(kept, k.normalize(DEVICE.spec(), new Tensor[] {x, y}, null));
            Tensor[] allocated = k.run(DEVICE, arena, x, y);
            assertArrayEquals(expected, allocated[0].toFloatArray());
            assertEquals(1, k.stats().encodes());
        }
    }

    @Test
    void aStaticKernelWithViewsOrAnotherSpecEncodesAgain() {
        Kernel k = staticAdd("static_views").useCache(new KernelCache(1 << 20));
        try (Arena arena = Arena.ofConfined()) {
            Tensor xt = Tensor.allocate(arena, DType.F32, 5, 3).permute(1, 0);
            Tensor y = Tensor.allocate(arena, DType.F32, 5);
            KernelInstance contiguous = k.normalize(DEVICE.spec(), new long[] {3, 5}, new long[] {5});
            KernelInstance viewed = k.normalize(DEVICE.spec(), new Tensor[] {xt, y}, null);
            assertNotSame(contiguous, viewed);
            assertEquals(1, k.cache().stats().entries(), "views go to the cache");
            k.run(DEVICE, new Tensor[] {xt, y}, new Tensor[] {Tensor.allocate(arena, DType.F32, 3, 5)});
            KernelInstance other = k.normalize(new NpuSpec("small", 1, 64 * 1024, 256, 32, 8), new long[] {3, 5}, new long[] {5});
            assertNotSame(contiguous, other);
            assertEquals(3, k.stats().encodes());
        }
    }

    @Test
    void aStaticKernelRejectsOtherShapesNamingTheDeclaredDims() {
        Kernel k = staticAdd("static_wrong");
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.allocate(arena, DType.F32, 4, 5);
            Tensor y = Tensor.allocate(arena, DType.F32, 5);
            DvmException e = assertThrows(DvmException.class,
                    () -> k.run(DEVICE, new Tensor[] {x, y}, new Tensor[] {Tensor.allocate(arena, DType.F32, 4, 5)}));
            assertTrue(e.getMessage().contains("static_wrong") && e.getMessage().contains("[4, 5]"), e.getMessage());
        }
    }

    @Test
    void aDynamicKernelIsNotStatic() {
        KernelBuilder kb = new KernelBuilder("dyn");
        kb.output(kb.neg(kb.input(DType.F32, 3, -1)));
        assertFalse(kb.build().isStatic());
    }
}
