package dev.dvm.tests;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DType;
import dev.dvm.core.DvmException;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelBuilder;
import dev.dvm.core.Tensor;
import dev.dvm.core.Value;
import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every documented bad input through the public API gives a DvmException naming the op and the shapes. */
class ErrorPathTest {
    @AutoClose
    private static final Device DEVICE = new Device(NpuSpec.host().withCores(2));

    private static void assertDvmError(Executable call, String... mentions) {
        DvmException e = assertThrows(DvmException.class, call);
        String message = String.valueOf(e.getMessage());
        for (String m : mentions) {
            assertTrue(message.contains(m), "message should mention '" + m + "': " + message);
        }
    }

    private static Kernel addKernel(long[] a, long[] b) {
        KernelBuilder kb = new KernelBuilder("add_kernel");
        Value x = kb.input(DType.F32, a);
        Value y = kb.input(DType.F32, b);
        kb.output(kb.add(x, y));
        return kb.build();
    }

    @Test
    void broadcastMismatchOfStaticDims() {
        // Dims are checked when the kernel is normalised (KernelBuilder's contract), static or not.
        Kernel k = addKernel(new long[] {2, 3}, new long[] {4});
        assertDvmError(() -> k.normalize(NpuSpec.host(), new long[] {2, 3}, new long[] {4}), "add", "[2, 3]", "[4]");
    }

    @Test
    void broadcastMismatchOfDynamicDimsAtNormalize() {
        Kernel k = addKernel(new long[] {-1, -1}, new long[] {-1});
        assertDvmError(() -> k.normalize(NpuSpec.host(), new long[] {2, 3}, new long[] {4}), "add", "[2, 3]", "[4]");
        try (Arena arena = Arena.ofShared()) {
            Tensor a = Tensor.allocate(arena, DType.F32, 2, 3);
            Tensor b = Tensor.allocate(arena, DType.F32, 4);
            assertDvmError(() -> k.run(DEVICE, arena, a, b), "add", "[2, 3]", "[4]");
        }
    }

    @Test
    void badAxes() {
        KernelBuilder kb = new KernelBuilder("k");
        Value x = kb.input(DType.F32, -1, 5);
        assertDvmError(() -> kb.reduceSum(x, false, 2), "reduceSum", "2");
        assertDvmError(() -> kb.reduceMax(x, false, -3), "reduceMax", "-3");
        assertDvmError(() -> kb.permute(x, 0, 0), "permute");
        assertDvmError(() -> kb.concat(3, x, x), "concat", "3");
        assertDvmError(() -> kb.split(x, 4, 2), "split", "4");
    }

    @Test
    void badReshape() {
        KernelBuilder kb = new KernelBuilder("k");
        Value x = kb.input(DType.F32, -1, 3);
        assertDvmError(() -> kb.reshape(x, -1, -1), "reshape");
        kb.output(kb.reshape(x, 4, -1));
        Kernel k = kb.build();
        assertDvmError(() -> k.normalize(NpuSpec.host(), new long[] {3, 3}), "reshape", "[3, 3]", "[4, -1]");
    }

    @Test
    void badSliceStepAndSplitSizes() {
        KernelBuilder kb = new KernelBuilder("k");
        Value x = kb.input(DType.F32, -1, 6);
        assertDvmError(() -> kb.slice(x, new long[] {0, 0}, new long[] {1, 1}, new long[] {1, 0}), "slice", "step");
        kb.output(kb.split(x, 1, 4)[0]);
        Kernel k = kb.build();
        assertDvmError(() -> k.normalize(NpuSpec.host(), new long[] {2, 6}), "split", "[2, 6]");
    }

    @Test
    void wrongInputsAtRun() {
        Kernel k = addKernel(new long[] {-1, 3}, new long[] {3});
        try (Arena arena = Arena.ofShared()) {
            Tensor a = Tensor.allocate(arena, DType.F32, 2, 3);
            Tensor b = Tensor.allocate(arena, DType.F32, 3);
            assertDvmError(() -> k.run(DEVICE, arena, a), "add_kernel", "2", "1");
            assertDvmError(() -> k.run(DEVICE, arena, a, Tensor.allocate(arena, DType.I32, 3)), "add_kernel", "I32", "F32");
            assertDvmError(() -> k.run(DEVICE, arena, Tensor.allocate(arena, DType.F32, 2, 4), b), "add_kernel", "[2, 4]", "3");
            assertDvmError(() -> k.run(DEVICE, new Tensor[] {a, b}, new Tensor[0]), "add_kernel", "output");
            assertDvmError(() -> k.run(DEVICE, new Tensor[] {a, b}, new Tensor[] {Tensor.allocate(arena, DType.F32, 3, 3)}), "add_kernel", "[3, 3]", "[2, 3]");
            assertDvmError(() -> k.run(DEVICE, new Tensor[] {a, b}, new Tensor[] {Tensor.allocate(arena, DType.F16, 2, 3)}), "add_kernel", "F16");
        }
    }

    @Test
    void instanceRejectsOtherLayouts() {
        Kernel k = addKernel(new long[] {-1, 3}, new long[] {3});
        var instance = k.normalize(NpuSpec.host(), new long[] {2, 3}, new long[] {3});
        try (Arena arena = Arena.ofShared()) {
            assertDvmError(() -> instance.run(DEVICE, arena, Tensor.allocate(arena, DType.F32, 5, 3), Tensor.allocate(arena, DType.F32, 3)), "[5, 3]");
        }
    }

    @Test
    void closedArena() {
        Kernel k = addKernel(new long[] {-1}, new long[] {-1});
        Tensor a;
        Tensor b;
        try (Arena arena = Arena.ofShared()) {
            a = Tensor.allocate(arena, DType.F32, 4);
            b = Tensor.allocate(arena, DType.F32, 4);
        }
        try (Arena live = Arena.ofShared()) {
            assertDvmError(() -> k.run(DEVICE, live, a, b), "closed");
            assertDvmError(a::toDoubleArray, "closed");
        }
    }

    @Test
    void writingIntoABroadcastView() {
        Kernel k = addKernel(new long[] {-1, 3}, new long[] {3});
        try (Arena arena = Arena.ofShared()) {
            Tensor a = Tensor.allocate(arena, DType.F32, 2, 3);
            Tensor b = Tensor.allocate(arena, DType.F32, 3);
            Tensor view = Tensor.allocate(arena, DType.F32, 3).broadcastTo(2, 3);
            assertDvmError(() -> k.run(DEVICE, new Tensor[] {a, b}, new Tensor[] {view}), "broadcast");
        }
    }

    @Test
    void badDtypesAtBuild() {
        KernelBuilder kb = new KernelBuilder("k");
        Value f = kb.input(DType.F32, 3);
        Value i = kb.input(DType.I32, 3);
        assertDvmError(() -> kb.oneHot(f, 4, 1, 0, DType.F32), "oneHot", "F32");
        assertDvmError(() -> kb.fill(0.5, DType.I32, f), "fill", "0.5");
        assertDvmError(() -> kb.add(i, 1L << 40), "add", "1099511627776");
    }

    @Test
    void badTensorData() {
        try (Arena arena = Arena.ofShared()) {
            assertDvmError(() -> Tensor.of(arena, new float[5], 2, 3), "5", "[2, 3]");
            Tensor t = Tensor.allocate(arena, DType.F32, 2, 3);
            assertDvmError(() -> t.reshape(4, 2), "reshape", "[2, 3]", "[4, 2]");
            assertDvmError(() -> t.slice(2, 0, 1, 1), "slice");
            assertDvmError(() -> t.broadcastTo(3, 3), "broadcast", "[2, 3]", "[3, 3]");
        }
    }
}
