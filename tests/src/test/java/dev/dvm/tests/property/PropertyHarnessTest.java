package dev.dvm.tests.property;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.DType;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.OpSpec;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.tests.reference.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The harness itself: generators, seeds, the greedy shrinker and the kernel case generator and shrinker. */
class PropertyHarnessTest {
    private static final Gen<List<Integer>> LISTS = Gen.listOf(Gen.ints(0, 1000), 0, 20);

    /** Drop one element, or lower one element (to 0, by half, by one). */
    private static final Shrinker<List<Integer>> LIST_SHRINKER = list -> {
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            List<Integer> dropped = new ArrayList<>(list);
            dropped.remove(i);
            out.add(dropped);
        }
        for (int i = 0; i < list.size(); i++) {
            for (int v : new int[] {0, list.get(i) / 2, list.get(i) - 1}) {
                if (v >= 0 && v < list.get(i)) {
                    List<Integer> lowered = new ArrayList<>(list);
                    lowered.set(i, v);
                    out.add(lowered);
                }
            }
        }
        return out.stream();
    };

    @Test
    void shrinksAPlantedFailureToTheMinimalCase() {
        Property<List<Integer>> sumBelow100 = new Property<>("sum < 100", LISTS, LIST_SHRINKER,
                list -> list.stream().mapToInt(Integer::intValue).sum() < 100 ? null : "sum is " + list.stream().mapToInt(Integer::intValue).sum(),
                Object::toString);
        Property.Failure<List<Integer>> f = sumBelow100.run(7, 100, i -> { });
        assertNotNull(f);
        assertEquals(List.of(100), f.shrunk());
        assertEquals("sum is 100", f.shrunkFailure());
        String report = f.toString();
        assertTrue(report.contains("seed 7") && report.contains("-Ddvm.seed=" + f.caseSeed()) && report.contains("[100]"), report);
    }

    @Test
    void theCaseSeedReproducesTheFailureAlone() {
        Property<List<Integer>> noBigElement = new Property<>("no element > 990", LISTS, LIST_SHRINKER,
                list -> list.stream().anyMatch(v -> v > 990) ? "big" : null, Object::toString);
        Property.Failure<List<Integer>> f = noBigElement.run(123, 1000, i -> { });
        assertNotNull(f);
        Property.Failure<List<Integer>> again = noBigElement.run(f.caseSeed(), 1, i -> { });
        assertNotNull(again);
        assertEquals(f.original(), again.original());
        assertEquals(List.of(991), f.shrunk());
    }

    @Test
    void exceptionsAreFailuresAndPassingPropertiesReturnNull() {
        Property<List<Integer>> throwing = new Property<>("throws", LISTS, Shrinker.none(), list -> {
            throw new IllegalStateException("boom");
        }, Object::toString);
        assertTrue(throwing.run(1, 1, i -> { }).originalFailure().contains("boom"));
        Property<List<Integer>> passing = new Property<>("passes", LISTS, LIST_SHRINKER, list -> null, Object::toString);
        int[] progress = {0};
        assertNull(passing.run(1, 50, i -> progress[0]++));
        assertEquals(50, progress[0]);
    }

    @Test
    void shrinkingKeepsTheKindOfFailure() {
        // Two kinds of failure; the first failure found is "big". Dropping the big element still fails, but
        // as "sum": a shrinker that took any failure would end at [100], an unrelated failure.
        java.util.function.Function<List<Integer>, String> check = list -> list.stream().anyMatch(v -> v > 900) ? "big"
                : list.stream().mapToInt(Integer::intValue).sum() >= 100 ? "sum" : null;
        Property<List<Integer>> kinds = new Property<>("no big element, sum < 100", LISTS, LIST_SHRINKER, check, Object::toString,
                (list, failure) -> failure);
        Property.Failure<List<Integer>> f = kinds.shrink(0, 0, 0, List.of(950, 60, 60), "big");
        assertEquals(List.of(901), f.shrunk());
        assertEquals("big", f.kind());
        assertTrue(f.toString().contains("failure kind: big"), f.toString());
        Property<List<Integer>> anyKind = new Property<>("any failure", LISTS, LIST_SHRINKER, check, Object::toString);
        assertEquals("sum", anyKind.shrink(0, 0, 0, List.of(950, 60, 60), "big").shrunkFailure());
    }

    @Test
    void kernelFailureKindsNameWhatBrokeAndWhere() {
        KernelSpec spec = new KernelSpec("k", List.of(new KernelSpec.InputSpec(DType.F32, new long[] {-1})),
                List.of(new OpSpec.Unary(OpSpec.UnaryOp.EXP, 0), new OpSpec.Binary(OpSpec.BinaryOp.ADD, 1, 0)), List.of(2));
        KernelCase c = new KernelCase(spec, List.of(List.of(new long[] {5})), 1, KernelCase.DataMode.RANDOM);
        try (KernelProperty kp = new KernelProperty()) {
            assertEquals("build error: dev.dvm.core.DvmException: reshape of f#[#]",
                    kp.failureKind(c, "building the kernel failed: dev.dvm.core.DvmException: reshape of f32[3]: cannot infer -1"));
            assertEquals("exception: java.lang.IllegalStateException at dev.dvm.core.compile.Lowering.stage",
                    kp.failureKind(c, "threw java.lang.IllegalStateException: no buffer\n\tat dev.dvm.core.compile.Lowering.stage(Lowering.java:42)"
                            + "\n\tat dev.dvm.core.Kernel.run(Kernel.java:7)"));
            assertEquals("dtype rule: add", kp.failureKind(c, "%2 = add(%1, %0): builder gives f16 rank 1, the documented rules give f32[5]"));
            // This kernel is correct, so no op is at fault when every value is an output: the failing output's op is named.
            assertEquals("mismatch with the reference at add",
                    kp.failureKind(c, "shape set 0 ([5]): output 0 (%2, f32[5]) first differs at element 1 [1]: got 1.0, expected 2.0"));
            assertEquals("core-count difference at add",
                    kp.failureKind(c, "shape set 0 ([5]): output 0: 1 core and 3 cores differ first at element 1 [1]: 1.0 vs 2.0"));
        }
    }

    @Test
    void seedsReproduceKernelCases() {
        KernelCaseGen gen = new KernelCaseGen(12);
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(gen.generate(new SplittableRandom(seed)).toString(), gen.generate(new SplittableRandom(seed)).toString());
        }
        assertNotEquals(gen.generate(new SplittableRandom(1)).toString(), gen.generate(new SplittableRandom(2)).toString());
    }

    @Test
    void generatedCasesAreValidAndVaried() {
        KernelCaseGen gen = new KernelCaseGen(12);
        Set<DType> dtypes = EnumSet.noneOf(DType.class);
        Set<Integer> ranks = new TreeSet<>();
        Set<String> opKinds = new TreeSet<>();
        int twoSets = 0;
        int dynamic = 0;
        int large = 0;
        int zeroDims = 0;
        for (int i = 0; i < 400; i++) {
            KernelCase c = gen.generate(new SplittableRandom(Property.caseSeed(99, i)));
            assertTrue(c.spec().ops().size() >= 1 && c.spec().ops().size() <= 12, c.toString());
            for (List<long[]> set : c.shapeSets()) {
                ReferenceEvaluator.infer(c.spec(), set);
                set.forEach(s -> ranks.add(s.length));
            }
            c.spec().inputs().forEach(in -> dtypes.add(in.dtype()));
            c.spec().ops().forEach(op -> opKinds.add(op.getClass().getSimpleName()));
            twoSets += c.shapeSets().size() == 2 ? 1 : 0;
            dynamic += c.spec().inputs().stream().anyMatch(in -> java.util.Arrays.stream(in.dims()).anyMatch(d -> d == -1)) ? 1 : 0;
            large += c.shapeSets().get(0).stream().mapToLong(RefTensor::count).max().orElse(0) >= 1_000_000 ? 1 : 0;
            zeroDims += c.shapeSets().get(0).stream().anyMatch(s -> java.util.Arrays.stream(s).anyMatch(d -> d == 0)) ? 1 : 0;
        }
        assertEquals(EnumSet.allOf(DType.class), dtypes);
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), ranks);
        assertTrue(opKinds.size() >= 15, opKinds.toString());
        assertTrue(twoSets > 100 && dynamic > 100 && large >= 1 && zeroDims >= 5,
                "two sets " + twoSets + ", dynamic " + dynamic + ", large " + large + ", zero dims " + zeroDims);
    }

    @Test
    void generatedKernelsAreValidForKernelBuilderToo() {
        // Not only for the reference's rules: e.g. oneHot's on/off values must be representable in an integer dtype.
        // And inputs stay within the size limit (a 0 in the base shape once let the other dims grow to 10^9 elements).
        KernelCaseGen gen = new KernelCaseGen(12);
        for (long seed : new long[] {20_250_101L, 7L, 424_242L}) {
            for (int i = 0; i < 1000; i++) {
                KernelCase c = gen.generate(new SplittableRandom(Property.caseSeed(seed, i)));
                assertDoesNotThrow(() -> c.spec().build(), c::toString);
                for (List<long[]> set : c.shapeSets()) {
                    assertTrue(set.stream().allMatch(s -> RefTensor.count(s) <= KernelCaseGen.LARGE_LIMIT), c::toString);
                }
            }
        }
    }

    @Test
    void kernelShrinkerReachesAMinimalKernel() {
        // Planted failure: the kernel contains an exp.
        Property<KernelCase> hasExp = new Property<>("no exp", new KernelCaseGen(12), new KernelCaseShrinker(),
                c -> c.spec().ops().stream().anyMatch(op -> op instanceof OpSpec.Unary u && u.op() == OpSpec.UnaryOp.EXP) ? "has exp" : null,
                KernelCase::toString);
        Property.Failure<KernelCase> f = hasExp.run(5, 2000, i -> { });
        assertNotNull(f);
        KernelCase shrunk = f.shrunk();
        assertEquals(1, shrunk.spec().ops().size(), shrunk.toString());
        assertEquals(1, shrunk.shapeSets().size(), shrunk.toString());
        assertEquals(1, shrunk.spec().inputs().size(), shrunk.toString());
        assertEquals(DType.F32, shrunk.spec().inputs().get(0).dtype(), shrunk.toString());
        assertEquals(KernelCase.DataMode.ONES, shrunk.data(), shrunk.toString());
        assertTrue(shrunk.inputElements() <= 1, shrunk.toString());
        assertTrue(f.toString().contains("shrunk case"), f.toString());
    }

    @Test
    void kernelShrinkerKeepsWhatTheFailureNeeds() {
        // Planted failure: some input has more than 40 elements. The shrinker must keep a dim product above 40.
        Property<KernelCase> small = new Property<>("inputs <= 40 elements", new KernelCaseGen(6), new KernelCaseShrinker(),
                c -> c.shapeSets().stream().flatMap(List::stream).anyMatch(s -> RefTensor.count(s) > 40) ? "big input" : null,
                KernelCase::toString);
        Property.Failure<KernelCase> f = small.run(11, 200, i -> { });
        assertNotNull(f);
        long biggest = f.shrunk().shapeSets().stream().flatMap(List::stream).mapToLong(RefTensor::count).max().orElse(0);
        assertTrue(biggest > 40 && biggest <= 82, f.shrunk().toString());
        assertTrue(Stream.of(f.shrunk().spec().ops()).count() >= 1);
    }
}
