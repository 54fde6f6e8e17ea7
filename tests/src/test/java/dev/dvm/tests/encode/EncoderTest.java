package dev.dvm.tests.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DvmException;
import dev.dvm.core.Kernel;
import dev.dvm.core.DType;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.Tensor;
import dev.dvm.core.compile.Compiler;
import dev.dvm.core.compile.Encoder;
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
 * many instances in a row, reusing the back-end plans remembered from earlier instances, and every
 * program must equal {@link Compiler#compile} of the same instance word for word: demo kernels,
 * random kernels on contiguous inputs, and random kernels on strided, transposed and broadcast
 * input views.
 */
class EncoderTest {
    private static final NpuSpec SPEC = NpuSpec.host();

    @Test
    void demoKernelsEncodeAsTheFullCompileDoes() {
        SplittableRandom r = new SplittableRandom(4);
        List<Kernel> kernels = EncodeCases.demoKernels(r);
        for (Kernel kernel : kernels) {
            for (NpuSpec spec : EncodeCases.SPECS) {
                Encoder encoder = null;
                for (int i = 0; i < 60; i++) {
                    long[][] shapes = EncodeCases.randomShapes(kernel, r);
                    Instance instance = instanceOf(kernel.normalize(spec, shapes));
                    encoder = encoder != null ? encoder : Encoder.prepare(instance.graph(), spec);
                    assertSameProgram(encoder, instance, spec, kernel + " " + java.util.Arrays.deepToString(shapes));
                }
            }
        }
    }

    @Test
    void randomKernelsEncodeAsTheFullCompileDoes() {
        KernelCaseGen gen = new KernelCaseGen(8);
        SplittableRandom r = new SplittableRandom(44);
        int compared = 0;
        for (int c = 0; c < 150; c++) {
            KernelCase kc = gen.generate(r);
            Kernel kernel = kc.spec().build().kernel();
            Encoder encoder = null;
            for (List<long[]> set : kc.shapeSets()) {
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
        }
        assertTrue(compared > 150, "only " + compared + " instances compared");
    }

    @Test
    void stridedViewsEncodeAsTheFullCompileDoes() {
        KernelCaseGen gen = new KernelCaseGen(8);
        SplittableRandom r = new SplittableRandom(45);
        int compared = 0;
        int strided = 0;
        for (int c = 0; c < 100; c++) {
            KernelCase kc = gen.generate(r);
            Kernel kernel = kc.spec().build().kernel();
            Encoder encoder = null;
            for (List<long[]> set : kc.shapeSets()) {
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
        }
        assertTrue(compared > 100 && strided > 100, compared + " instances compared, " + strided + " strided inputs");
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
