package dev.dvm.tests;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DType;
import dev.dvm.core.DvmException;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelBuilder;
import dev.dvm.core.KernelType;
import dev.dvm.core.Tensor;
import dev.dvm.core.Value;
import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.IntStream;
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

    // ---- matrix products

    /**
     * A kernel-type error names the op at fault and a kernel type to use instead, when the op is
     * added, at build or, for shapes, when the kernel is normalised for its inputs' declared dims.
     */
    private static void assertKernelTypeError(Consumer<KernelBuilder> body, String op) {
        KernelBuilder kb = new KernelBuilder("product");
        DvmException e = assertThrows(DvmException.class, () -> {
            body.accept(kb);
            Kernel k = kb.build();
            k.normalize(NpuSpec.host(), IntStream.range(0, k.inputCount()).mapToObj(k::inputDims).toArray(long[][]::new));
        });
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(op), "message should name '" + op + "': " + message);
        assertTrue(Arrays.stream(KernelType.values()).anyMatch(t -> message.contains(t.name())), "message should name a kernel type: " + message);
    }

    private static Kernel matmulKernel(DType aType, long[] a, long[] b, boolean transB) {
        KernelBuilder kb = new KernelBuilder("mm");
        Value x = kb.input(aType, a);
        Value y = kb.input(DType.F32, b);
        kb.output(kb.matmul(x, y, false, transB, null));
        return kb.build();
    }

    @Test
    void matmulInnerDimsDifferAtBuildWhenStatic() {
        assertDvmError(() -> matmulKernel(DType.F32, new long[] {2, 3}, new long[] {4, 5}, false), "matmul", "[2, 3]", "[4, 5]", "transpose");
        // With transB, b [5, 4] contracts its 4 (axis 1) with a's 3.
        assertDvmError(() -> matmulKernel(DType.F32, new long[] {2, 3}, new long[] {5, 4}, true), "matmul", "[2, 3]", "[5, 4]", "transpose");
    }

    @Test
    void matmulInnerDimsDifferAtNormalizeAndLaunchWhenDynamic() {
        Kernel k = matmulKernel(DType.F32, new long[] {-1, -1}, new long[] {-1, 5}, false);
        assertDvmError(() -> k.normalize(NpuSpec.host(), new long[] {2, 3}, new long[] {4, 5}), "matmul", "[2, 3]", "[4, 5]", "transpose");
        try (Arena arena = Arena.ofShared()) {
            Tensor a = Tensor.allocate(arena, DType.F32, 2, 3);
            Tensor b = Tensor.allocate(arena, DType.F32, 4, 5);
            assertDvmError(() -> k.run(DEVICE, arena, a, b), "matmul", "[2, 3]", "[4, 5]", "transpose");
        }
    }

    @Test
    void matmulOperandRanksAndDtypes() {
        assertDvmError(() -> matmulKernel(DType.F32, new long[] {3}, new long[] {3, 4}, false), "matmul", "operand a", "rank 1", "reshape");
        assertDvmError(() -> matmulKernel(DType.F32, new long[] {2, 3}, new long[] {3}, false), "matmul", "operand b", "rank 1", "reshape");
        assertDvmError(() -> matmulKernel(DType.F32, new long[] {1, 1, 1, 2, 3}, new long[] {3, 4}, false), "matmul", "operand a", "rank 5", "reshape");
        assertDvmError(() -> matmulKernel(DType.F32, new long[] {2, 3}, new long[] {1, 1, 1, 3, 4}, false), "matmul", "operand b", "rank 5", "reshape");
        assertDvmError(() -> matmulKernel(DType.I32, new long[] {2, 3}, new long[] {3, 4}, false), "matmul", "I32", "float");
    }

    @Test
    void matmulOperandViewThatIsNeitherContiguousNorATranspose() {
        Kernel k = matmulKernel(DType.F32, new long[] {-1, -1}, new long[] {-1, -1}, false);
        try (Arena arena = Arena.ofShared()) {
            Tensor a = Tensor.allocate(arena, DType.F32, 2, 3);
            Tensor everyOtherRow = Tensor.allocate(arena, DType.F32, 6, 4).slice(0, 0, 6, 2);   // [3, 4], strides [8, 1]
            assertDvmError(() -> k.run(DEVICE, arena, a, everyOtherRow), "matmul", "operand b", "[3, 4]", "[8, 1]", "contiguous");
        }
    }

    @Test
    void matmulKernelTypeRules() {
        // A second product, chained or beside the first.
        assertKernelTypeError(kb -> {
            Value x = kb.input(DType.F32, 2, 3);
            kb.output(kb.matmul(kb.matmul(x, kb.input(DType.F32, 3, 4)), kb.input(DType.F32, 4, 5)));
        }, "matmul");
        assertKernelTypeError(kb -> {
            Value x = kb.input(DType.F32, 2, 3);
            Value w = kb.input(DType.F32, 3, 4);
            kb.output(kb.matmul(x, w));
            kb.output(kb.matmul(x, w, false, false, kb.input(DType.F32, 4)));
        }, "matmul");
        // A reduce after the product.
        assertKernelTypeError(kb -> kb.output(kb.reduceSum(kb.matmul(kb.input(DType.F32, 2, 3), kb.input(DType.F32, 3, 4)), false, 1)), "reduceSum");
        // An elementwise op computing an operand of the product.
        assertKernelTypeError(kb -> kb.output(kb.matmul(kb.mul(kb.input(DType.F32, 2, 3), 2.0), kb.input(DType.F32, 3, 4))), "mul");
        // Ops after the product whose element count differs from the product's: a broadcast of [2, 4] to [3, 2, 4],
        // and an add of a [3, 2, 4] input to it.
        assertKernelTypeError(kb -> kb.output(kb.broadcast(kb.matmul(kb.input(DType.F32, 2, 3), kb.input(DType.F32, 3, 4)), 3, 2, 4)), "broadcast");
        assertKernelTypeError(kb -> kb.output(kb.add(kb.matmul(kb.input(DType.F32, 2, 3), kb.input(DType.F32, 3, 4)), kb.input(DType.F32, 3, 2, 4))), "add");
    }
}
