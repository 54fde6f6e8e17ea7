package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** End-to-end runs through the compiler and the VM (these need dev.dvm.core.compile and npu-vm built). */
class KernelRunTest {
    @AutoClose
    private static final Device DEVICE = new Device(NpuSpec.host().withCores(2));

    private static void assertMessage(String expected, Runnable r) {
        DvmException e = assertThrows(DvmException.class, r::run);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }

    private static Kernel addRelu() {
        KernelBuilder kb = new KernelBuilder("add_relu");
        Value x = kb.input(DType.F32, -1, -1);
        Value y = kb.input(DType.F32, -1);
        kb.output(kb.maximum(kb.add(x, y), 0.0));
        return kb.build();
    }

    private static float[] iota(int n, float scale, float shift) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i * scale + shift;
        }
        return a;
    }

    @Test
    void addReluMatchesJava() {
        Kernel k = addRelu();
        try (Arena arena = Arena.ofShared()) {
            float[] xs = iota(3 * 37, 0.5f, -20f);
            float[] ys = iota(37, -0.25f, 3f);
            Tensor[] out = k.run(DEVICE, arena, Tensor.of(arena, xs, 3, 37), Tensor.of(arena, ys, 37));
            float[] expected = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                expected[i] = Math.max(xs[i] + ys[i % 37], 0f);
            }
            assertArrayEquals(new long[] {3, 37}, out[0].shape());
            assertArrayEquals(expected, out[0].toFloatArray());
        }
    }

    @Test
    void stridedViewsInAndOutAndTheInstanceIsCached() {
        Kernel k = addRelu();
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.of(arena, iota(5 * 4, 1f, -6f), 5, 4).permute(1, 0); // [4, 5], strides [1, 4]
            Tensor y = Tensor.of(arena, iota(10, 1f, 0f), 10).slice(0, 0, 10, 2);  // [5], stride 2
            Tensor big = Tensor.allocate(arena, DType.F32, 4, 10);
            Tensor out = big.slice(1, 0, 10, 2);                                     // [4, 5], strides [10, 2]
            k.run(DEVICE, new Tensor[] {x, y}, new Tensor[] {out});
            float[] xv = x.toFloatArray();
            float[] yv = y.toFloatArray();
            float[] expected = new float[20];
            for (int i = 0; i < 20; i++) {
                expected[i] = Math.max(xv[i] + yv[i % 5], 0f);
            }
            assertArrayEquals(expected, out.toFloatArray());
            assertEquals(0.0, big.getDouble(0, 1), "odd columns untouched");
            assertSame(k.normalize(DEVICE.spec(), new Tensor[] {x, y}, new Tensor[] {out}),
                    k.normalize(DEVICE.spec(), new Tensor[] {x, y}, new Tensor[] {out}));
        }
    }

    @Test
    void f16ReduceSumAccumulatesInF32() {
        KernelBuilder kb = new KernelBuilder("sum16");
        Value x = kb.input(DType.F16, -1, -1);
        kb.output(kb.reduceSum(x, false, 1));
        Kernel k = kb.build();
        try (Arena arena = Arena.ofShared()) {
            float[] ones = new float[2 * 3000];
            java.util.Arrays.fill(ones, 1f);
            Tensor[] out = k.run(DEVICE, arena, Tensor.of(arena, DType.F16, ones, 2, 3000));
            assertEquals(DType.F16, out[0].dtype());
            assertArrayEquals(new float[] {3000f, 3000f}, out[0].toFloatArray(), "F16 accumulation would stop at 2048");
        }
    }

    @Test
    void anInputStoredAsAnOutputAfterManyBuffersIsCopied() {
        // An input that is also an output is loaded and copied before its store; with enough buffers before it,
        // that copy is the one that grows the lowering's buffer tables (it once went to the discarded table,
        // leaving the store without a source: ArrayIndexOutOfBoundsException while compiling).
        for (int chain = 0; chain <= 36; chain++) {
            KernelBuilder kb = new KernelBuilder("chain" + chain);
            Value x = kb.input(DType.F32, 5);
            Value v = x;
            for (int i = 0; i < chain; i++) {
                v = kb.add(v, 1.0);
            }
            kb.output(v);
            kb.output(x);
            try (Arena arena = Arena.ofShared()) {
                float[] xs = iota(5, 1f, -2f);
                Tensor[] out = kb.build().run(DEVICE, arena, Tensor.of(arena, xs, 5));
                assertArrayEquals(xs, out[1].toFloatArray(), chain + " ops before the copy");
            }
        }
    }

    @Test
    void aConcatOfEmptyPartsIsAnEmptyOutput() {
        // Every part empty: no part has anything to write, but the program still needs a (0-tile) stage.
        KernelBuilder kb = new KernelBuilder("empty_concat");
        Value x = kb.input(DType.F32, -1, 0, 3);
        kb.output(kb.concat(2, x, x));
        Kernel k = kb.build();
        try (Arena arena = Arena.ofShared()) {
            for (long rows : new long[] {0, 4}) {
                Tensor[] out = k.run(DEVICE, arena, Tensor.allocate(arena, DType.F32, rows, 0, 3));
                assertArrayEquals(new long[] {rows, 0, 6}, out[0].shape());
            }
        }
    }

    @Test
    void instanceRejectsOtherLayoutsBroadcastOutputsAndOverlap() {
        Kernel k = addRelu();
        KernelInstance inst = k.normalize(DEVICE.spec(), new long[] {7, 16}, new long[] {16});
        assertArrayEquals(new long[] {7, 16}, inst.outputShape(0));
        assertTrue(inst.tiles() >= 1);
        assertTrue(inst.bytecodeBytes() > 0);
        assertTrue(!inst.disassemble().isEmpty());
        try (Arena arena = Arena.ofShared()) {
            Tensor y = Tensor.allocate(arena, DType.F32, 16);
            Tensor x8 = Tensor.allocate(arena, DType.F32, 8, 16);
            assertMessage("kernel 'add_relu' input 0: shape [8, 16] but the instance was normalised for [7, 16]; normalise again",
                    () -> inst.run(DEVICE, arena, x8, y));
            Tensor x = Tensor.allocate(arena, DType.F32, 7, 16);
            assertMessage("kernel 'add_relu' input 0: strides [1, 7]", () -> inst.run(DEVICE, arena,
                    Tensor.allocate(arena, DType.F32, 16, 7).permute(1, 0), y));
            assertMessage("kernel 'add_relu' input 1: dtype I32 but the kernel declared F32",
                    () -> inst.run(DEVICE, arena, x, Tensor.allocate(arena, DType.I32, 16)));
            assertMessage("output 0: the view with shape [7, 16] and strides [0, 1] is a broadcast",
                    () -> inst.run(DEVICE, new Tensor[] {x, y}, new Tensor[] {Tensor.allocate(arena, DType.F32, 16).broadcastTo(7, 16)}));
            assertMessage("kernel 'add_relu' output 0 overlaps input 0", () -> inst.run(DEVICE, new Tensor[] {x, y}, new Tensor[] {x}));
            assertMessage("kernel 'add_relu': 1 inputs given but it has 2; pass one tensor per input", () -> inst.run(DEVICE, arena, x));
        }
    }

    @Test
    void confinedTensorsRunOnTheCallersThread() {
        KernelInstance inst = addRelu().normalize(DEVICE.spec(), new long[] {256, 4096}, new long[] {4096});
        assertTrue(DEVICE.coresFor(inst.executable()) >= 2, "4 MiB of work should spread over both cores");
        try (Arena confined = Arena.ofConfined()) {
            float[] xs = new float[256 * 4096];
            float[] ys = new float[4096];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (i % 13) - 6;
            }
            for (int i = 0; i < ys.length; i++) {
                ys[i] = (i % 5) - 2;
            }
            Tensor out = inst.run(DEVICE, confined, Tensor.of(confined, xs, 256, 4096), Tensor.of(confined, ys, 4096))[0];
            float[] got = out.toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                assertEquals(Math.max(xs[i] + ys[i % 4096], 0f), got[i], "element " + i);
            }
        }
    }
}
