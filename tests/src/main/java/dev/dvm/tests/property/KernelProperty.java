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
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;

/**
 * The kernel property: a random kernel built through KernelBuilder, run for each of its shape sets
 * on a one-core and a three-core {@link Device}, gives bit-identical outputs on both, of the dtypes
 * and shapes the reference infers, within the reference's bounds ({@link Tolerances}).
 */
public final class KernelProperty implements AutoCloseable {
    /** Cores of the multi-core device. */
    public static final int MANY_CORES = 3;

    private final Device oneCore = new Device(NpuSpec.host().withCores(1));
    private final Device manyCores = new Device(NpuSpec.host().withCores(MANY_CORES));

    /** The property over kernels of up to {@code maxOps} ops. */
    public Property<KernelCase> property(int maxOps) {
        return new Property<>("random kernels match the reference, 1 core = " + MANY_CORES + " cores",
                new KernelCaseGen(maxOps), new KernelCaseShrinker(), this::check, KernelCase::toString);
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
     * Runs {@code kernel} (built from {@code spec}) on {@code inputs} on both devices; {@code null}
     * when the outputs are bit-identical and match the reference, else the first difference.
     */
    public String checkInputs(KernelSpec spec, Kernel kernel, List<RefTensor> inputs) {
        List<RefTensor> expected = ReferenceEvaluator.evaluate(spec, inputs);
        try (Arena arena = Arena.ofShared()) {
            Tensor[] in = inputs.stream().map(t -> TensorBridge.toTensor(arena, t)).toArray(Tensor[]::new);
            Tensor[] one = kernel.run(oneCore, arena, in);
            Tensor[] many = kernel.run(manyCores, arena, in);
            return compareOutputs(spec, expected, one, many);
        }
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
            int e = firstBitDifference(one[k], many[k], got);
            if (e >= 0) {
                RefTensor gotMany = TensorBridge.fromTensor(many[k]);
                return "output " + k + ": 1 core and " + MANY_CORES + " cores differ first at element " + e
                        + " " + Tolerances.Mismatch.multiIndex(e, got.shape()) + ": " + got.get(e) + " vs " + gotMany.get(e);
            }
        }
        return null;
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
    }
}
