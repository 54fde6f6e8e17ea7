package dev.dvm.tests.property;

import dev.dvm.core.Kernel;
import dev.dvm.core.Tensor;
import dev.dvm.core.Value;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.tests.reference.RefTypes;
import dev.dvm.tests.reference.ReferenceEvaluator;
import dev.dvm.tests.reference.ReferenceEvaluator.Meta;
import dev.dvm.tests.reference.TensorBridge;
import dev.dvm.tests.reference.Tolerances;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The kernel property: a random kernel built through KernelBuilder, run for each of its shape sets
 * on a one-core and a three-core {@link Device}, gives bit-identical outputs on both, of the dtypes
 * and shapes the reference infers, within the reference's bounds ({@link Tolerances}). In JIT mode
 * ({@link #KernelProperty(boolean)}) the one-core device only interprets, and each case also runs on
 * a {@value #MANY_CORES}-core device that forces every supported stage through the JIT tier, whose
 * outputs must be bit-identical to the interpreter's. Devices of other core counts can be added
 * ({@link #KernelProperty(boolean, int...)}); their outputs must be bit-identical to one core's.
 */
public final class KernelProperty implements AutoCloseable {
    /** Cores of the multi-core device. */
    public static final int MANY_CORES = 3;

    private final Device oneCore;
    /** Spreads every stage of two or more tiles, however small, so small cases exercise the worker cores too. */
    private final Device manyCores = new Device(NpuSpec.host().withCores(MANY_CORES), new Device.Options(false, false, 1));
    /** The forced-JIT device in JIT mode, else null. */
    private final Device jitCores;
    /** Devices of further core counts, spreading like {@link #manyCores}. */
    private final List<Device> otherCores;

    /** The property on the default devices (the JIT mode of system property {@code dvm.jit}). */
    public KernelProperty() {
        this(false);
    }

    /** With {@code jit}, also compares a forced-JIT run with an interpreted one bit for bit. */
    public KernelProperty(boolean jit) {
        this(jit, new int[0]);
    }

    /** As {@link #KernelProperty(boolean)}, and each case also runs on a device of each of {@code otherCoreCounts} cores. */
    public KernelProperty(boolean jit, int... otherCoreCounts) {
        oneCore = new Device(NpuSpec.host().withCores(1), jit ? new Device.Options(false, false).withJit(JitMode.OFF) : Device.Options.defaults());
        jitCores = jit ? new Device(NpuSpec.host().withCores(MANY_CORES), new Device.Options(false, false, 1, JitMode.FORCE)) : null;
        otherCores = Arrays.stream(otherCoreCounts).mapToObj(n -> new Device(NpuSpec.host().withCores(n), new Device.Options(false, false, 1))).toList();
    }

    /** The shape set and the output a mismatch or core-count difference names. */
    private static final Pattern FAILED_SET = Pattern.compile("^shape set (\\d+) .*?: output (\\d+)");

    /** The property over kernels of up to {@code maxOps} ops. */
    public Property<KernelCase> property(int maxOps) {
        return new Property<>("random kernels match the reference, 1 core = " + MANY_CORES + " cores",
                new KernelCaseGen(maxOps), new KernelCaseShrinker(), this::check, KernelCase::toString, this::failureKind);
    }

    /**
     * What broke and where, for {@link Property#kind}: a build error (the exception's class and
     * message head, which names the op), an exception while running (its class and throwing
     * frame), a dtype-rule difference (the op), or a mismatch with the reference or a difference
     * between core counts (the op at fault: the first op whose value is wrong when every op's value
     * is an output, else the op that produces the failing output).
     */
    public String failureKind(KernelCase c, String failure) {
        String building = "building the kernel failed: ";
        if (failure.startsWith(building)) {
            String error = failure.substring(building.length());
            // Digits (shapes, sizes) change while shrinking; the exception and the op it names do not.
            return "build error: " + error.substring(0, ordinalIndexOf(error, ':', 2)).replaceAll("\\d+", "#");
        }
        if (failure.startsWith("threw ")) {
            String[] lines = failure.split("\n");
            String frame = Arrays.stream(lines).map(String::strip).filter(l -> l.startsWith("at ")).findFirst().orElse("");
            return "exception: " + lines[0].substring("threw ".length()).split(":")[0] + " " + frame.replaceAll("\\(.*", "");
        }
        if (failure.startsWith("%")) {
            return "dtype rule: " + opName(failure.substring(failure.indexOf("= ") + 2));
        }
        Matcher m = FAILED_SET.matcher(failure);
        if (!m.find()) {
            return "other: " + failure;
        }
        String what = failure.contains(" cores differ first at element ") ? "core-count difference"
                : failure.contains(" the JIT differ ") ? "JIT difference" : "mismatch with the reference";
        return what + " at " + opAtFault(c, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    private static int ordinalIndexOf(String s, char ch, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            int next = s.indexOf(ch, at + 1);
            if (next < 0) {
                return s.length();
            }
            at = next;
        }
        return at;
    }

    /** The op kind of an op's printed form, e.g. {@code erf} for {@code erf(%2)}. */
    private static String opName(String printed) {
        int paren = printed.indexOf('(');
        return paren < 0 ? printed : printed.substring(0, paren);
    }

    private String opAtFault(KernelCase c, int set, int output) {
        KernelSpec spec = c.spec();
        int nIn = spec.inputs().size();
        List<Integer> everyOp = IntStream.range(nIn, spec.valueCount()).boxed().toList();
        try {
            KernelSpec all = new KernelSpec(spec.name(), spec.inputs(), spec.ops(), everyOp);
            List<RefTensor> inputs = c.inputs(set);
            List<RefTensor> expected = ReferenceEvaluator.evaluate(all, inputs);
            try (Arena arena = Arena.ofShared()) {
                Tensor[] in = inputs.stream().map(t -> TensorBridge.toTensor(arena, t)).toArray(Tensor[]::new);
                Kernel kernel = all.build().kernel();
                Tensor[] one = kernel.run(oneCore, arena, in);
                Tensor[] many = kernel.run(manyCores, arena, in);
                for (int k = 0; k < one.length; k++) {
                    RefTensor got = TensorBridge.fromTensor(one[k]);
                    if (Tolerances.firstMismatch(expected.get(k), got) != null || firstBitDifference(one[k], many[k], got) >= 0) {
                        return opName(spec.ops().get(k).toString());
                    }
                }
            }
        } catch (RuntimeException e) {
            // The all-outputs kernel fails differently: fall back to the output's op.
        }
        int id = spec.outputs().get(output);
        return id < nIn ? "input" : opName(spec.ops().get(id - nIn).toString());
    }

    /** {@code null} when {@code c} passes, else what went wrong. */
    public String check(KernelCase c) {
        KernelSpec spec = c.spec();
        KernelSpec.Built built;
        try {
            built = spec.build();
        } catch (RuntimeException e) {
            return "building the kernel failed: " + e;
        }
        String typeError = checkDtypes(spec, built.values(), ReferenceEvaluator.infer(spec, c.shapeSets().get(0)));
        if (typeError != null) {
            return typeError;
        }
        for (int set = 0; set < c.shapeSets().size(); set++) {
            String failure = checkShapeSet(c, built.kernel(), set);
            if (failure != null) {
                return "shape set " + set + " " + shapesText(c.shapeSets().get(set)) + ": " + failure;
            }
        }
        return null;
    }

    private static String checkDtypes(KernelSpec spec, List<Value> values, List<Meta> metas) {
        for (int id = 0; id < values.size(); id++) {
            Value v = values.get(id);
            Meta m = metas.get(id);
            if (v.dtype() != m.dtype() || v.rank() != m.shape().length) {
                String what = id < spec.inputs().size() ? "input" : spec.ops().get(id - spec.inputs().size()).toString();
                return "%" + id + " = " + what + ": builder gives " + RefTypes.name(v.dtype()) + " rank " + v.rank()
                        + ", the documented rules give " + m;
            }
        }
        return null;
    }

    private String checkShapeSet(KernelCase c, Kernel kernel, int set) {
        return checkInputs(c.spec(), kernel, c.inputs(set));
    }

    /**
     * Runs {@code kernel} (built from {@code spec}) on {@code inputs} on every device; {@code null}
     * when the outputs are bit-identical and match the reference, else the first difference.
     */
    public String checkInputs(KernelSpec spec, Kernel kernel, List<RefTensor> inputs) {
        List<RefTensor> expected = ReferenceEvaluator.evaluate(spec, inputs);
        try (Arena arena = Arena.ofShared()) {
            Tensor[] in = inputs.stream().map(t -> TensorBridge.toTensor(arena, t)).toArray(Tensor[]::new);
            Tensor[] one = kernel.run(oneCore, arena, in);
            Tensor[] many = kernel.run(manyCores, arena, in);
            String failure = compareOutputs(spec, expected, one, many);
            for (int i = 0; i < otherCores.size() && failure == null; i++) {
                Device other = otherCores.get(i);
                failure = compareBits(one, kernel.run(other, arena, in), "1 core and " + other.spec().cores() + " cores");
            }
            return failure != null || jitCores == null ? failure : compareBits(one, kernel.run(jitCores, arena, in), "the interpreter and the JIT");
        }
    }

    /** The first output element whose bits differ between runs {@code a} and {@code b} (named by {@code runs}), or null. */
    private static String compareBits(Tensor[] a, Tensor[] b, String runs) {
        for (int k = 0; k < a.length; k++) {
            RefTensor values = TensorBridge.fromTensor(a[k]);
            int e = firstBitDifference(a[k], b[k], values);
            if (e >= 0) {
                return "output " + k + ": " + runs + " differ first at element " + e + " "
                        + Tolerances.Mismatch.multiIndex(e, values.shape()) + ": " + values.get(e) + " vs "
                        + TensorBridge.fromTensor(b[k]).get(e);
            }
        }
        return null;
    }

    /** Compares outputs of a one-core and a many-core run with each other and with the reference's. */
    public static String compareOutputs(KernelSpec spec, List<RefTensor> expected, Tensor[] one, Tensor[] many) {
        if (one.length != expected.size() || many.length != expected.size()) {
            return expected.size() + " outputs expected, got " + one.length + " (1 core) and " + many.length + " (" + MANY_CORES + " cores)";
        }
        for (int k = 0; k < one.length; k++) {
            RefTensor got = TensorBridge.fromTensor(one[k]);
            Tolerances.Mismatch m = Tolerances.firstMismatch(expected.get(k), got);
            if (m != null) {
                return describe(k, expected.get(k), got, m, spec.outputs().get(k));
            }
        }
        return compareBits(one, many, "1 core and " + MANY_CORES + " cores");
    }

    /**
     * The first element whose bits differ between the two runs, or -1. Two NaNs count as equal
     * whatever their sign and payload: x86 keeps the payload of one operand of a NaN-producing
     * op, and which operand that is differs between the JVM's interpreter and C2, so NaN bits are
     * not part of the determinism guarantee (docs/decisions/0003).
     */
    private static int firstBitDifference(Tensor one, Tensor many, RefTensor oneValues) {
        byte[] a = TensorBridge.rawBytes(one);
        byte[] b = TensorBridge.rawBytes(many);
        int size = one.dtype().byteSize();
        RefTensor manyValues = null;
        int from = 0;
        while (true) {
            int at = Arrays.mismatch(a, from, a.length, b, from, b.length);
            if (at < 0) {
                return -1;
            }
            int e = (from + at) / size;
            if (!Double.isNaN(oneValues.get(e))) {
                return e;
            }
            manyValues = manyValues != null ? manyValues : TensorBridge.fromTensor(many);
            if (!Double.isNaN(manyValues.get(e))) {
                return e;
            }
            from = (e + 1) * size;
        }
    }

    /** The one-core device. */
    public Device oneCore() {
        return oneCore;
    }

    /** The {@value #MANY_CORES}-core device. */
    public Device manyCores() {
        return manyCores;
    }

    private static String describe(int k, RefTensor expected, RefTensor got, Tolerances.Mismatch m, int valueId) {
        if (m.index() < 0) {
            return "output " + k + " (%" + valueId + "): got " + got + ", expected " + expected;
        }
        long unchecked = Arrays.stream(expected.err()).filter(e -> e == Double.POSITIVE_INFINITY).count();
        return "output " + k + " (%" + valueId + ", " + expected + ") first differs at element " + m.index() + " "
                + Tolerances.Mismatch.multiIndex(m.index(), expected.shape()) + ": got " + m.got() + ", expected " + m.expected()
                + " (tolerance " + m.tolerance() + ") " + m.note()
                + " [" + unchecked + " of " + expected.size() + " elements unchecked]";
    }

    private static String shapesText(List<long[]> shapes) {
        return shapes.stream().map(Arrays::toString).reduce((a, b) -> a + ", " + b).map(s -> "(" + s + ")").orElse("()");
    }

    @Override
    public void close() {
        oneCore.close();
        manyCores.close();
        if (jitCores != null) {
            jitCores.close();
        }
        otherCores.forEach(Device::close);
    }
}
