package dev.dvm.tests.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DvmException;
import dev.dvm.core.Kernel;
import dev.dvm.core.DType;
import dev.dvm.core.KernelBuilder;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.Tensor;
import dev.dvm.core.Value;
import dev.dvm.core.compile.Compiler;
import dev.dvm.core.compile.Encoder;
import dev.dvm.tests.DemoKernels;
import dev.dvm.core.ir.Instance;
import dev.dvm.tests.property.KernelCase;
import dev.dvm.tests.property.KernelCaseGen;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.lang.reflect.Method;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Differential test of {@link Encoder} against the full compile: one encoder per kernel encodes
 * many instances in a row, reusing the back-end plans and replaying the front ends recorded for
 * earlier instances, and every program must equal {@link Compiler#compile} of the same instance
 * (which always runs the full front end) word for word: demo kernels, random kernels on contiguous
 * inputs, and random kernels on strided, transposed and broadcast input views. Each test requires
 * front-end replays and prints how many encodes replayed.
 */
class EncoderTest {
    private static final NpuSpec SPEC = NpuSpec.host();

    /** Front-end replays and full runs of the encoders of one test. */
    private static final class Replays {
        long replayed, ran;

        void add(Encoder encoder) {
            if (encoder != null) {
                replayed += encoder.frontEndReplays();
                ran += encoder.frontEndRuns();
            }
        }

        void require(String test) {
            System.out.printf("%s: %d of %d front ends replayed (%.0f%%)%n", test, replayed, replayed + ran, 100.0 * replayed / (replayed + ran));
            assertTrue(replayed > 0, test + ": no front end was replayed");
        }
    }

    @Test
    void demoKernelsEncodeAsTheFullCompileDoes() {
        SplittableRandom r = new SplittableRandom(4);
        List<Kernel> kernels = EncodeCases.demoKernels(r);
        Replays replays = new Replays();
        for (Kernel kernel : kernels) {
            for (NpuSpec spec : EncodeCases.SPECS) {
                Encoder encoder = null;
                for (int i = 0; i < 60; i++) {
                    long[][] shapes = EncodeCases.randomShapes(kernel, r);
                    Instance instance = instanceOf(kernel.normalize(spec, shapes));
                    encoder = encoder != null ? encoder : Encoder.prepare(instance.graph(), spec);
                    assertSameProgram(encoder, instance, spec, kernel + " " + java.util.Arrays.deepToString(shapes));
                }
                replays.add(encoder);
            }
        }
        replays.require("demo kernels");
    }

    @Test
    void randomKernelsEncodeAsTheFullCompileDoes() {
        KernelCaseGen gen = new KernelCaseGen(8);
        SplittableRandom r = new SplittableRandom(44);
        int compared = 0;
        Replays replays = new Replays();
        for (int c = 0; c < 150; c++) {
            KernelCase kc = gen.generate(r);
            Kernel kernel = kc.spec().build().kernel();
            Encoder encoder = null;
            for (List<long[]> set : withVariants(kc.shapeSets(), r)) {
                KernelInstance normalized;
                try {
                    normalized = kernel.normalize(SPEC, set.toArray(long[][]::new));
                } catch (DvmException e) {
                    continue; // a case the compiler rejects: nothing to compare
                }
                Instance instance = instanceOf(normalized);
                encoder = encoder != null ? encoder : Encoder.prepare(instance.graph(), SPEC);
                assertSameProgram(encoder, instance, SPEC, kc.toString());
                compared++;
            }
            replays.add(encoder);
        }
        assertTrue(compared > 500, "only " + compared + " instances compared");
        replays.require("random kernels");
    }

    /**
     * The kernel's shape sets, then six variants of its first in which every distinct dim value is
     * replaced by itself, 1, itself + 1 or twice itself (the same choice wherever the value occurs,
     * so dims that broadcast together mostly stay compatible; sets the kernel rejects are skipped).
     * Variants cross the front end's guards both ways: dims becoming 1, equal or unequal.
     */
    private static List<List<long[]>> withVariants(List<List<long[]>> sets, SplittableRandom r) {
        List<List<long[]>> all = new java.util.ArrayList<>(sets);
        for (int v = 0; v < 6; v++) {
            java.util.Map<Long, Long> replaced = new java.util.HashMap<>();
            List<long[]> variant = new java.util.ArrayList<>();
            for (long[] shape : sets.get(0)) {
                long[] dims = shape.clone();
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = replaced.computeIfAbsent(shape[d], x -> switch (r.nextInt(4)) {
                        case 0 -> x;
                        case 1 -> 1L;
                        case 2 -> x + 1;
                        default -> 2 * x;
                    });
                }
                variant.add(dims);
            }
            all.add(variant);
        }
        return all;
    }

    @Test
    void stridedViewsEncodeAsTheFullCompileDoes() {
        KernelCaseGen gen = new KernelCaseGen(8);
        SplittableRandom r = new SplittableRandom(45);
        int compared = 0;
        int strided = 0;
        Replays replays = new Replays();
        for (int c = 0; c < 100; c++) {
            KernelCase kc = gen.generate(r);
            Kernel kernel = kc.spec().build().kernel();
            Encoder encoder = null;
            // three layouts per shape set: later instances replay front ends recorded with other strides
            for (List<long[]> set : kc.shapeSets().stream().flatMap(set -> java.util.stream.Stream.of(set, set, set)).toList()) {
                try (Arena arena = Arena.ofConfined()) {
                    Tensor[] inputs = new Tensor[set.size()];
                    for (int i = 0; i < inputs.length; i++) {
                        inputs[i] = randomLayout(arena, kernel.inputType(i), set.get(i), r);
                        strided += inputs[i].isContiguous() ? 0 : 1;
                    }
                    KernelInstance normalized;
                    try {
                        normalized = kernel.normalize(SPEC, inputs, null);
                    } catch (DvmException e) {
                        continue; // a case the compiler rejects: nothing to compare
                    }
                    Instance instance = instanceOf(normalized);
                    encoder = encoder != null ? encoder : Encoder.prepare(instance.graph(), SPEC);
                    assertSameProgram(encoder, instance, SPEC, kc + " " + java.util.Arrays.toString(inputs));
                    compared++;
                }
            }
            replays.add(encoder);
        }
        assertTrue(compared > 100 && strided > 100, compared + " instances compared, " + strided + " strided inputs");
        replays.require("random views");
    }

    /**
     * The encode benchmarks' kernel replays its front end for every new [s, h] except the first of
     * each class (s and h being 1 or not: extent-1 dims are not axes).
     */
    @Test
    void elementwise10ReplaysAcrossShapes() {
        Kernel kernel = DemoKernels.elementwise10Kernel();
        Encoder encoder = null;
        for (long s = 1; s <= 30; s++) {
            for (long h = 1; h <= 4060; h += 41 * 7) {
                Instance instance = instanceOf(kernel.normalize(SPEC, new long[] {s, h}));
                encoder = encoder != null ? encoder : Encoder.prepare(instance.graph(), SPEC);
                assertSameProgram(encoder, instance, SPEC, "elementwise10 [" + s + ", " + h + "]");
            }
        }
        Replays replays = new Replays();
        replays.add(encoder);
        replays.require("elementwise10");
        assertTrue(replays.ran <= 4, replays.ran + " full front ends for four shape classes");
    }

    /**
     * Instances of one class replay, and a guard failing sends an instance through the full front
     * end: strides making a view foldable (the fold condition), a dim becoming 1 (it is no longer
     * an axis), and an input read twice (as x and as its transpose) through views whose strides
     * coincide (both 0: the second load is shared). Every program still equals the full compile.
     */
    @Test
    void aFailedGuardFallsBackToTheFullFrontEnd() {
        KernelBuilder b = new KernelBuilder("x_plus_transposed_x");
        Value x = b.input(DType.F32, -1, -1);
        b.output(b.add(x, b.permute(x, 1, 0)));
        Kernel kernel = b.build();
        Encoder encoder = null;
        // {rows, cols, layout}: 0 contiguous, 1 a column slice of a wider tensor, 2 broadcast from [1, 1]
        long[][] steps = {{6, 6, 1}, {9, 9, 1}, {9, 9, 0}, {5, 5, 0}, {1, 1, 0}, {7, 7, 2}, {3, 3, 2}, {4, 4, 0}};
        long[] expectedRuns = {1, 1, 2, 2, 3, 4, 4, 4};
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < steps.length; i++) {
                long rows = steps[i][0], cols = steps[i][1];
                Tensor input = switch ((int) steps[i][2]) {
                    case 1 -> Tensor.allocate(arena, DType.F32, rows, cols + 3).slice(1, 0, cols, 1);
                    case 2 -> Tensor.allocate(arena, DType.F32, 1, 1).broadcastTo(rows, cols);
                    default -> Tensor.allocate(arena, DType.F32, rows, cols);
                };
                Instance instance = instanceOf(kernel.normalize(SPEC, new Tensor[] {input}, null));
                encoder = encoder != null ? encoder : Encoder.prepare(instance.graph(), SPEC);
                assertSameProgram(encoder, instance, SPEC, java.util.Arrays.toString(steps[i]));
                assertEquals(expectedRuns[i], encoder.frontEndRuns(), "full front ends after " + java.util.Arrays.toString(steps[i]));
                // each step compiles twice: encode, and the executable's program encoded again, always a replay
                assertEquals(2 * (i + 1) - expectedRuns[i], encoder.frontEndReplays(), "replays after " + java.util.Arrays.toString(steps[i]));
            }
        }
    }

    /**
     * A tensor of {@code shape} in a random layout: contiguous, every other element of one axis
     * from an offset, transposed (all dims reversed in memory), or one dim broadcast from 1.
     */
    private static Tensor randomLayout(Arena arena, DType type, long[] shape, SplittableRandom r) {
        int rank = shape.length;
        int kind = rank == 0 ? 0 : r.nextInt(4);
        int axis = rank == 0 ? 0 : r.nextInt(rank);
        switch (kind) {
            case 1 -> {
                long[] wide = shape.clone();
                wide[axis] = 2 * shape[axis] + 1;
                return Tensor.allocate(arena, type, wide).slice(axis, 1, 1 + 2 * shape[axis], 2);
            }
            case 2 -> {
                long[] reversed = new long[rank];
                int[] perm = new int[rank];
                for (int i = 0; i < rank; i++) {
                    reversed[i] = shape[rank - 1 - i];
                    perm[i] = rank - 1 - i;
                }
                return Tensor.allocate(arena, type, reversed).permute(perm);
            }
            case 3 -> {
                long[] narrow = shape.clone();
                narrow[axis] = 1;
                return Tensor.allocate(arena, type, narrow).broadcastTo(shape);
            }
            default -> {
                return Tensor.allocate(arena, type, shape);
            }
        }
    }

    private static void assertSameProgram(Encoder encoder, Instance instance, NpuSpec spec, String what) {
        Encoder.Encoded encoded = encoder.encode(instance, () -> encoder.program(instance));
        assertArrayEquals(Compiler.compile(instance, spec).words(), encoded.program().words(), what);
        // the executable keeps no program: it encodes it again, equal word for word
        assertArrayEquals(encoded.program().words(), encoded.executable().program().words(), what);
    }

    /** The normalised instance behind a KernelInstance (package-private in dev.dvm.core). */
    private static Instance instanceOf(KernelInstance k) {
        try {
            Method m = KernelInstance.class.getDeclaredMethod("instance");
            m.setAccessible(true);
            return (Instance) m.invoke(k);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
