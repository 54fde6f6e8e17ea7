package dev.dvm.tests.property;

import dev.dvm.core.KernelType;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.OpSpec;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import java.util.List;

/**
 * The matrix-product property: a random product with its epilogue ({@link MatMulCaseGen}) is built
 * as the kernel type its ops call for (CUBE for a product alone or with a bias added, MIX when
 * other elementwise ops follow), matches the reference within {@link dev.dvm.tests.reference.Tolerances}
 * and gives bit-identical outputs on 1, 2 and {@value KernelProperty#MANY_CORES} cores and with the
 * JIT tier forbidden (one core) and forced ({@value KernelProperty#MANY_CORES} cores). Failures
 * shrink with {@link KernelCaseShrinker} and are classified like the kernel property's.
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
     * VECTOR without a product; CUBE for a product stored alone or with one tensor input added to it
     * (a bias: KernelBuilder's bias is that same add); MIX when other elementwise ops follow it.
     */
    static KernelType expectedType(KernelSpec spec) {
        List<OpSpec> ops = spec.ops();
        int nIn = spec.inputs().size();
        int at = 0;
        while (at < ops.size() && !(ops.get(at) instanceof OpSpec.MatMul)) {
            at++;
        }
        if (at == ops.size()) {
            return KernelType.VECTOR;
        }
        int product = nIn + at;
        List<OpSpec> after = ops.subList(at + 1, ops.size());
        boolean biasAdd = after.size() == 1 && after.getFirst() instanceof OpSpec.Binary add && add.op() == BinaryOp.ADD
                && (add.a() == product ? add.b() : add.a()) < nIn;
        return after.isEmpty() || biasAdd ? KernelType.CUBE : KernelType.MIX;
    }

    @Override
    public void close() {
        runner.close();
    }
}
