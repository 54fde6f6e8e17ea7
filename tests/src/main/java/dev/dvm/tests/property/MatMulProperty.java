package dev.dvm.tests.property;

import dev.dvm.core.KernelType;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.OpSpec;
import java.util.List;

/**
 * The matrix-product property: a random product with its epilogue ({@link MatMulCaseGen}) is built
 * as the kernel type its ops call for (CUBE for a product stored as it is, MIX when elementwise ops
 * follow it, a bias included), matches the reference within
 * {@link dev.dvm.tests.reference.Tolerances} and gives bit-identical outputs on 1, 2 and
 * {@value KernelProperty#MANY_CORES} cores and with the JIT tier forbidden (one core) and forced
 * ({@value KernelProperty#MANY_CORES} cores). Failures shrink with {@link KernelCaseShrinker} and
 * are classified like the kernel property's.
 */
public final class MatMulProperty implements AutoCloseable {
    private final KernelProperty runner = new KernelProperty(true, 2);

    /** The property over products of {@code size}. */
    public Property<KernelCase> property(MatMulCaseGen.Size size) {
        return new Property<>("matrix products (" + size + ") match the reference, 1 = 2 = " + KernelProperty.MANY_CORES + " cores = JIT",
                new MatMulCaseGen(size), new KernelCaseShrinker(), this::check, KernelCase::toString, runner::failureKind);
    }

    /** {@code null} when {@code c} passes, else what went wrong. */
    public String check(KernelCase c) {
        KernelType expected = expectedType(c.spec());
        KernelType built;
        try {
            built = c.spec().build().kernel().type();
        } catch (RuntimeException e) {
            // The runner reports a failing build.
            return runner.check(c);
        }
        return built != expected ? "kernel type " + built + ", expected " + expected : runner.check(c);
    }

    /**
     * VECTOR without a product; CUBE for a product stored as it is; MIX when elementwise ops follow
     * it, a bias included (decision 0007: the bias is a vector add like any epilogue op).
     */
    static KernelType expectedType(KernelSpec spec) {
        List<OpSpec> ops = spec.ops();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof OpSpec.MatMul mm) {
                return mm.hasBias() || i < ops.size() - 1 ? KernelType.MIX : KernelType.CUBE;
            }
        }
        return KernelType.VECTOR;
    }

    @Override
    public void close() {
        runner.close();
    }
}
