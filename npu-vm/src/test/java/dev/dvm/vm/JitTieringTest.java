package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.Opcode;
import java.lang.foreign.Arena;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * When the JIT tier compiles (launch threshold in AUTO, first launch in FORCE, never in OFF), what
 * a failure reports, what the compile-time counters say, and that a generated class unloads with
 * its programs. Each test uses a chain of operations no other test compiles, so no class cached by
 * another test can stand in for the compilation it expects.
 */
class JitTieringTest {
    /** [6, 40] in tiles of [4, 32]: 240 elements a launch, far below the element threshold. */
    private static final long ROWS = 6, COLS = 40;

    private static Executable executable(Opcode... ops) {
        return Executable.of(JitTest.chain(ROWS, COLS, 4, 32, ops), NpuSpec.host());
    }

    private static void launch(Device device, Executable exe, Arena arena) {
        JitTest.run(device, exe, JitTest.input(arena, ROWS * COLS, 7), arena, ROWS * COLS);
    }

    /** Waits (bounded by the caller's timeout) for the background thread to publish {@code exe}'s stage. */
    private static void awaitCompiled(Executable exe) throws InterruptedException {
        while (exe.stages[0].compiled == null) {
            Thread.sleep(1);
        }
    }

    @Test
    void autoCompilesOnlyOnceTheLaunchThresholdIsReached() {
        Executable exe = executable(Opcode.ABS, Opcode.SQRT, Opcode.NEG, Opcode.FLOOR);
        assertTrue(Jit.LAUNCHES > 1, "this test needs a launch threshold above 1; dvm.jit.launches = " + Jit.LAUNCHES);
        assertTrue(ROWS * COLS * Jit.LAUNCHES < Jit.ELEMENTS, "the element threshold must not be what triggers");
        long queued = Device.jitStats().queued();
        long warmUpNanos = Device.jitStats().warmUpNanos();
        try (Arena arena = Arena.ofShared(); Device auto = JitTest.device(1, JitMode.AUTO)) {
            for (long n = 1; n < Jit.LAUNCHES; n++) {
                launch(auto, exe, arena);
                assertEquals(Jit.NEW, exe.stages[0].jitState, "after launch " + n + " of " + Jit.LAUNCHES);
            }
            assertEquals(queued, Device.jitStats().queued());
            launch(auto, exe, arena);
            assertTrue(exe.stages[0].jitState != Jit.NEW, "launch " + Jit.LAUNCHES + " claims the stage");
            assertEquals(queued + 1, Device.jitStats().queued());
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> awaitCompiled(exe));
            assertTrue(Device.jitStats().warmUpNanos() > warmUpNanos, "the class ran on scratch memory before it was published");
        }
    }

    @Test
    void forceCompilesOnTheFirstLaunchAndTimesTheCompilation() {
        Executable exe = executable(Opcode.ABS, Opcode.SQRT, Opcode.NEG, Opcode.CEIL);
        Device.JitStats before = Device.jitStats();
        try (Arena arena = Arena.ofShared(); Device force = JitTest.device(1, JitMode.FORCE)) {
            launch(force, exe, arena);
            assertNotNull(exe.stages[0].compiled, "compiled before the first launch ran");
        }
        Device.JitStats after = Device.jitStats();
        assertEquals(before.queued(), after.queued(), "FORCE compiles on the launching thread, nothing is queued");
        assertEquals(before.warmUpNanos(), after.warmUpNanos(), "FORCE runs the class at once, without warming it up");
        assertEquals(before.compiled() + 1, after.compiled());
        long nanos = after.compileNanos() - before.compileNanos();
        assertTrue(nanos > 0, "the compilation's time is counted");
        assertTrue(after.maxCompileNanos() >= nanos, "the longest compilation is at least this one: " + after);
    }

    @Test
    void offNeverCompiles() {
        Executable exe = executable(Opcode.ABS, Opcode.SQRT, Opcode.NEG, Opcode.TRUNC);
        Device.JitStats before = Device.jitStats();
        try (Arena arena = Arena.ofShared(); Device off = JitTest.device(2, JitMode.OFF)) {
            for (long n = 0; n < 4 * Jit.LAUNCHES; n++) {
                launch(off, exe, arena);
            }
        }
        assertNull(exe.stages[0].compiled);
        assertEquals(Jit.NEW, exe.stages[0].jitState);
        assertEquals(0, exe.stages[0].jitLaunches, "OFF does not even count launches");
        assertEquals(before.queued(), Device.jitStats().queued());
    }

    @Test
    void aFailingShapeIsCountedOnceAcrossProgramsAndModes() {
        Opcode[] ops = {Opcode.ABS, Opcode.SQRT, Opcode.NEG, Opcode.ROUND};
        UnaryOperator<byte[]> previous = Jit.classFileHook;
        // The verifier rejects a class file cut short when it is defined.
        Jit.classFileHook = bytes -> Arrays.copyOf(bytes, bytes.length / 2);
        long failed = Device.jitStats().failed();
        try (Arena arena = Arena.ofShared(); Device force = JitTest.device(1, JitMode.FORCE); Device auto = JitTest.device(1, JitMode.AUTO)) {
            Executable forced = executable(ops);
            launch(force, forced, arena);
            assertNull(forced.stages[0].compiled);
            // Another program of the same shape, tiered in the background: it is not even queued again.
            Executable tiered = executable(ops);
            long queued = Device.jitStats().queued();
            for (long n = 0; n < 3 * Jit.LAUNCHES; n++) {
                launch(auto, tiered, arena);
            }
            assertNull(tiered.stages[0].compiled);
            assertEquals(queued, Device.jitStats().queued());
        } finally {
            Jit.classFileHook = previous;
        }
        // Jit logs the warning in the same branch that counts the failure: one count is one report.
        assertEquals(failed + 1, Device.jitStats().failed());
    }

    @Test
    void aGeneratedClassUnloadsOnceItsProgramsAreDropped() throws Exception {
        WeakReference<Class<?>> generated = compileAndDrop();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (generated.get() != null) {
                System.gc();
                Thread.sleep(10);
            }
        });
    }

    /** Compiles a program on a device that is closed again, and returns only a weak reference to the class. */
    private static WeakReference<Class<?>> compileAndDrop() {
        Executable a = executable(Opcode.ABS, Opcode.SQRT, Opcode.NEG, Opcode.EXP);
        Executable b = executable(Opcode.ABS, Opcode.SQRT, Opcode.NEG, Opcode.EXP);
        // Two cores: a worker that ran a range must not keep its stage (and the class) reachable.
        try (Arena arena = Arena.ofShared(); Device force = JitTest.device(2, JitMode.FORCE)) {
            launch(force, a, arena);
            launch(force, b, arena);
        }
        assertNotNull(a.stages[0].compiled);
        assertTrue(a.stages[0].compiled == b.stages[0].compiled, "programs of one shape share the class");
        return new WeakReference<>(a.stages[0].compiled.code().getClass());
    }
}
