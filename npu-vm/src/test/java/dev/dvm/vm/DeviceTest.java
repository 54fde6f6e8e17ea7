package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.MalformedProgramException;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.Sync;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeviceTest {
    /** 50,100 elements: enough for four cores to get {@link Device#DEFAULT_MIN_ELEMENTS_PER_CORE} each. */
    private static final int ROWS = 167, COLS = 300;

    private static MemorySegment input(Arena arena) {
        Random random = new Random(7);
        MemorySegment x = arena.allocate(4L * ROWS * COLS);
        for (int i = 0; i < ROWS * COLS; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (random.nextGaussian() * 10));
        }
        return x;
    }

    private static float[] run(Device device, Program program, MemorySegment x, Arena arena) {
        MemorySegment y = arena.allocate(4L * ROWS * COLS);
        device.launch(Executable.of(program, device.spec()), new Bindings(2).set(0, x, 0).set(1, y, 0));
        return y.toArray(ValueLayout.JAVA_FLOAT);
    }

    @Test
    void resultsAreBitIdenticalOnOneTwoAndFourCores() {
        Program program = TestProgram.unary(Opcode.TANH, ROWS, COLS, 4, 64);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = input(arena);
            List<float[]> results = new ArrayList<>();
            for (int cores : new int[] {1, 2, 4}) {
                for (boolean scalar : new boolean[] {false, true}) {
                    try (Device device = new Device(NpuSpec.host().withCores(cores), new Device.Options(false, scalar))) {
                        results.add(run(device, program, x, arena));
                        if (cores > 1) {
                            assertTrue(device.rangesHandedOff() > 0, "a 50-tile stage is handed to the workers");
                        }
                    }
                }
            }
            for (int i = 0; i < ROWS * COLS; i++) {
                assertEquals(Float.floatToRawIntBits(MathKernels.tanh(x.getAtIndex(ValueLayout.JAVA_FLOAT, i))), Float.floatToRawIntBits(results.get(0)[i]));
            }
            for (float[] r : results) {
                assertArrayEquals(results.get(0), r);
            }
        }
    }

    /**
     * y = |x|^cos(x) + log|x| over [257, 256]: the bits must not depend on the core count, the
     * unit, or whether C2 has compiled the loops yet (the launches are repeated until it has).
     */
    @Test
    void transcendentalsAreBitIdenticalOnOneAndThreeCoresAndBothUnits() {
        long rows = 257, cols = 256;
        Program program = transcendentalChain(rows, cols);
        try (Arena arena = Arena.ofShared()) {
            Random random = new Random(3);
            MemorySegment ones = arena.allocate(4 * rows * cols);
            MemorySegment spread = arena.allocate(4 * rows * cols);
            for (int i = 0; i < rows * cols; i++) {
                ones.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f);
                spread.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 2)));
            }
            for (MemorySegment x : List.of(ones, spread)) {
                int[] expected = null;
                for (int cores : new int[] {1, 3}) {
                    for (boolean scalar : new boolean[] {false, true}) {
                        try (Device device = new Device(NpuSpec.host().withCores(cores), new Device.Options(false, scalar))) {
                            Executable exe = Executable.of(program, device.spec());
                            MemorySegment y = arena.allocate(4 * rows * cols);
                            for (int launch = 0; launch < (scalar ? 2 : 40); launch++) {
                                device.launch(exe, new Bindings(2).set(0, x, 0).set(1, y, 0));
                                int[] bits = y.toArray(ValueLayout.JAVA_INT);
                                if (expected == null) {
                                    expected = bits;
                                }
                                assertArrayEquals(expected, bits, cores + " cores, scalar unit " + scalar + ", launch " + launch);
                            }
                        }
                    }
                }
                float one = MathKernels.pow(1f, MathKernels.cos(1f)) + MathKernels.log(1f);
                if (x == ones) {
                    assertEquals(Float.floatToRawIntBits(one), expected[(int) (rows * cols - 1)]);
                }
            }
        }
    }

    /** LOAD x; a = |x|; c = cos x; p = a^c; l = log a; y = p + l; STORE y, in tiles of 4 × 256 with the canonical events. */
    private static Program transcendentalChain(long rows, long cols) {
        int tileRows = 4, tileCols = 256;
        int buffer = tileRows * tileCols * 4;
        long n = (long) tileRows * tileCols;
        long f32 = ElementType.F32.code();
        TestProgram p = new TestProgram(6 * buffer);
        p.slot(Isa.SLOT_INPUT, ElementType.F32, rows * cols * 4);
        p.slot(Isa.SLOT_OUTPUT, ElementType.F32, rows * cols * 4);
        p.stage(new long[] {rows, cols}, 1, tileRows, tileCols, tileCols);
        p.memory(Opcode.LOAD, TestProgram.LOAD_SYNC, 0, 0, ElementType.F32, 0, 0, cols, 1);
        p.op(Opcode.ABS, Sync.of(Sync.WAIT, 0), buffer, 0, n, f32);
        p.op(Opcode.COS, Sync.of(Sync.BACK_SET, 0), 2 * buffer, 0, n, f32);
        p.op(Opcode.POW, Sync.NONE, 3 * buffer, buffer, 2 * buffer, n, f32);
        p.op(Opcode.LOG, Sync.NONE, 4 * buffer, buffer, n, f32);
        p.op(Opcode.ADD, Sync.of(Sync.BACK_WAIT, 0) | Sync.of(Sync.SET, 0), 5 * buffer, 3 * buffer, 4 * buffer, n, f32);
        p.memory(Opcode.STORE, TestProgram.STORE_SYNC, 5 * buffer, 1, ElementType.F32, 0, 0, cols, 1);
        return p.end().build();
    }

    @Test
    void oneTileStageRunsOnTheCaller() {
        Program program = TestProgram.unary(Opcode.EXP, 3, 40, 4, 40);
        try (Arena arena = Arena.ofShared(); Device device = new Device(NpuSpec.host().withCores(4))) {
            MemorySegment x = arena.allocate(4 * 120);
            MemorySegment y = arena.allocate(4 * 120);
            Executable exe = Executable.of(program, device.spec());
            assertEquals(1, device.coresFor(exe));
            device.launch(exe, new Bindings(2).set(0, x, 0).set(1, y, 0));
            assertEquals(0, device.rangesHandedOff());
            assertEquals(1f, y.getAtIndex(ValueLayout.JAVA_FLOAT, 119));
            assertEquals(4, device.coresFor(Executable.of(TestProgram.unary(Opcode.EXP, ROWS, COLS, 4, 64), device.spec())));
            // 64 tiles but 16K elements: too little work to pay for handing ranges to other cores.
            assertEquals(1, device.coresFor(Executable.of(TestProgram.unary(Opcode.EXP, 64, 256, 4, 64), device.spec())));
            assertEquals(2, device.coresFor(Executable.of(TestProgram.unary(Opcode.EXP, 96, 256, 4, 64), device.spec())));
        }
    }

    @Test
    void concurrentLaunchesAreSerialised() throws Exception {
        Program program = TestProgram.unary(Opcode.SIGMOID, ROWS, COLS, 4, 64);
        try (Arena arena = Arena.ofShared(); Device device = new Device(NpuSpec.host().withCores(2))) {
            MemorySegment x = input(arena);
            float[] expected = run(device, program, x, arena);
            List<Thread> threads = new ArrayList<>();
            List<float[]> results = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 3; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int k = 0; k < 5; k++) {
                        results.add(run(device, program, x, arena));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(15, results.size());
            for (float[] r : results) {
                assertArrayEquals(expected, r);
            }
        }
    }

    @Test
    void badBindingsAreRejectedWithTheSlotNamed() {
        Program program = TestProgram.unary(Opcode.EXP, 4, 8, 4, 8);
        try (Arena arena = Arena.ofShared(); Device device = new Device(NpuSpec.host().withCores(2))) {
            Executable exe = Executable.of(program, device.spec());
            MemorySegment ok = arena.allocate(128);
            VmException missing = assertThrows(VmException.class, () -> device.launch(exe, new Bindings(2).set(0, ok, 0)));
            assertTrue(missing.getMessage().contains("slot 1 (output, F32) is not bound; it needs 128 bytes"), missing.getMessage());
            VmException small = assertThrows(VmException.class, () -> device.launch(exe, new Bindings(2).set(0, ok, 8).set(1, ok, 0)));
            assertTrue(small.getMessage().contains("slot 0 (input, F32) needs 128 bytes from byte offset 8, the bound segment gives 120"),
                    small.getMessage());
            MemorySegment readOnly = ok.asReadOnly();
            VmException ro = assertThrows(VmException.class, () -> device.launch(exe, new Bindings(2).set(0, ok, 0).set(1, readOnly, 0)));
            assertTrue(ro.getMessage().contains("slot 1 (output, F32) is bound to a read-only segment"), ro.getMessage());
            MemorySegment dead;
            try (Arena closed = Arena.ofConfined()) {
                dead = closed.allocate(128);
            }
            MemorySegment closedSegment = dead;
            VmException gone = assertThrows(VmException.class, () -> device.launch(exe, new Bindings(2).set(0, closedSegment, 0).set(1, ok, 0)));
            assertTrue(gone.getMessage().contains("slot 0 (input, F32) is bound to a segment whose arena is closed"), gone.getMessage());
            VmException count = assertThrows(VmException.class, () -> device.launch(exe, new Bindings(3)));
            assertTrue(count.getMessage().contains("bindings have 3 slots, the program has 2"), count.getMessage());
            // The device still works after every rejected launch.
            device.launch(exe, new Bindings(2).set(0, ok, 0).set(1, arena.allocate(128), 0));
        }
    }

    @Test
    void confinedSegmentsRunOnTheCaller() {
        Program program = TestProgram.unary(Opcode.EXP, ROWS, COLS, 4, 64);
        try (Arena shared = Arena.ofShared(); Arena confined = Arena.ofConfined(); Device device = new Device(NpuSpec.host().withCores(2))) {
            MemorySegment x = input(shared);
            float[] expected = run(device, program, x, shared);
            long before = device.rangesHandedOff();
            assertArrayEquals(expected, run(device, program, x, confined));
            assertEquals(before, device.rangesHandedOff());
        }
    }

    @Test
    void programsAreVerifiedAgainstTheSpec() {
        Program program = TestProgram.unary(Opcode.EXP, 4, 2048, 4, 2048);
        NpuSpec small = new NpuSpec("small", 1, 8192, 256, 32, 8);
        MalformedProgramException e = assertThrows(MalformedProgramException.class, () -> Executable.of(program, small));
        assertEquals("ub-capacity", e.rule());
        try (Device device = new Device(small)) {
            VmException tooBig = assertThrows(VmException.class,
                    () -> device.launch(Executable.of(program, NpuSpec.host()), new Bindings(2)));
            assertTrue(tooBig.getMessage().contains("build the Executable for this device's spec"), tooBig.getMessage());
        }
    }

    @Test
    void closedDeviceRefusesLaunches() {
        Device device = new Device(NpuSpec.host().withCores(3));
        Executable exe = Executable.of(TestProgram.unary(Opcode.EXP, 4, 8, 4, 8), device.spec());
        device.close();
        assertThrows(VmException.class, () -> device.launch(exe, new Bindings(2)));
    }

    @Test
    void specsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new NpuSpec("x", 0, 8192, 256, 32, 8));
        assertThrows(IllegalArgumentException.class, () -> new NpuSpec("x", 1, 8200, 256, 32, 8));
        assertThrows(IllegalArgumentException.class, () -> new NpuSpec("x", 1, 2048, 256, 32, 8));
        assertThrows(IllegalArgumentException.class, () -> new NpuSpec("x", 1, 8192, 128, 32, 8));
        assertThrows(IllegalArgumentException.class, () -> new NpuSpec("x", 1, 8192, 256, 32, 9));
        assertEquals(40, NpuSpec.ascend910b().cores());
        assertEquals(192 * 1024, NpuSpec.ascend910b().ubBytes());
        assertEquals(3, NpuSpec.host().withCores(3).cores());
    }
}
