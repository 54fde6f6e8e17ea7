package dev.dvm.tests.reference;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelBuilder;
import dev.dvm.core.Value;
import dev.dvm.tests.reference.OpSpec.BinaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The test tree's model of a kernel: declared inputs, a list of {@link OpSpec}s and the value ids
 * stored as outputs. It can be built into a dvm4j {@link Kernel} through {@link KernelBuilder}
 * ({@link #build()}) and evaluated by {@link ReferenceEvaluator}, which never looks at dvm-core's
 * internals.
 *
 * @param name kernel name
 * @param inputs declared inputs (-1 dims are dynamic)
 * @param ops the ops; op {@code k} defines value id {@code inputs.size() + k}
 * @param outputs value ids stored to the outputs, in order
 */
public record KernelSpec(String name, List<InputSpec> inputs, List<OpSpec> ops, List<Integer> outputs) {
    public KernelSpec {
        inputs = List.copyOf(inputs);
        ops = List.copyOf(ops);
        outputs = List.copyOf(outputs);
    }

    /** A declared input: dtype and dims, -1 for a dynamic dim. */
    public record InputSpec(DType dtype, long[] dims) {
        @Override
        public String toString() {
            return RefTypes.name(dtype) + Arrays.toString(dims);
        }
    }

    /** A kernel built from a spec, with the builder's {@link Value} of every value id. */
    public record Built(Kernel kernel, List<Value> values) {}

    /** Total number of value ids (inputs and op results). */
    public int valueCount() {
        return inputs.size() + ops.size();
    }

    /** Builds the kernel through the public {@link KernelBuilder} API. */
    public Built build() {
        KernelBuilder b = new KernelBuilder(name);
        List<Value> values = new ArrayList<>();
        for (InputSpec in : inputs) {
            values.add(b.input(in.dtype(), in.dims().clone()));
        }
        for (OpSpec op : ops) {
            values.add(apply(b, op, values));
        }
        for (int id : outputs) {
            b.output(values.get(id));
        }
        return new Built(b.build(), List.copyOf(values));
    }

    private static Value apply(KernelBuilder b, OpSpec op, List<Value> v) {
        return switch (op) {
            case OpSpec.Unary u -> unary(b, u.op(), v.get(u.x()));
            case OpSpec.Binary bin -> overloads(bin.op()).tensors().apply(b, v.get(bin.a()), v.get(bin.b()));
            case OpSpec.BinaryScalar s -> binaryScalar(b, s, v.get(s.x()));
            case OpSpec.Select s -> b.select(v.get(s.cond()), v.get(s.a()), v.get(s.b()));
            case OpSpec.Cast c -> b.cast(v.get(c.x()), c.to());
            case OpSpec.Broadcast c -> b.broadcast(v.get(c.x()), c.dims().clone());
            case OpSpec.BroadcastLike c -> b.broadcastLike(v.get(c.x()), v.get(c.like()));
            case OpSpec.Fill f -> b.fill(f.value(), f.dtype(), v.get(f.like()));
            case OpSpec.Reshape r -> b.reshape(v.get(r.x()), r.dims().clone());
            case OpSpec.Permute p -> b.permute(v.get(p.x()), p.perm().clone());
            case OpSpec.Slice s -> b.slice(v.get(s.x()), s.begin().clone(), s.end().clone(), s.step().clone());
            case OpSpec.Concat c -> b.concat(c.axis(), Arrays.stream(c.xs()).mapToObj(v::get).toArray(Value[]::new));
            case OpSpec.Split s -> (s.sizes() == null ? b.split(v.get(s.x()), s.axis(), s.parts()) : b.split(v.get(s.x()), s.axis(), s.sizes().clone()))[s.index()];
            case OpSpec.OneHot o -> b.oneHot(v.get(o.indices()), o.depth(), o.on(), o.off(), o.dtype());
            case OpSpec.Copy c -> b.copy(v.get(c.x()));
            case OpSpec.ElemAny e -> b.elemAny(v.get(e.x()));
            case OpSpec.Reduce r -> switch (r.op()) {
                case SUM -> b.reduceSum(v.get(r.x()), r.keepDims(), r.axes().clone());
                case MAX -> b.reduceMax(v.get(r.x()), r.keepDims(), r.axes().clone());
                case MIN -> b.reduceMin(v.get(r.x()), r.keepDims(), r.axes().clone());
            };
            case OpSpec.MatMul mm -> mm.transA() || mm.transB() || mm.hasBias()
                    ? b.matmul(v.get(mm.a()), v.get(mm.b()), mm.transA(), mm.transB(), mm.hasBias() ? v.get(mm.bias()) : null)
                    : b.matmul(v.get(mm.a()), v.get(mm.b()));
        };
    }

    private static Value binaryScalar(KernelBuilder b, OpSpec.BinaryScalar s, Value x) {
        BuilderOverloads f = overloads(s.op());
        if (s.s().isLong()) {
            return s.scalarLeft() ? f.longLeft().apply(b, s.s().asLong(), x) : f.longRight().apply(b, x, s.s().asLong());
        }
        return s.scalarLeft() ? f.doubleLeft().apply(b, s.s().asDouble(), x) : f.doubleRight().apply(b, x, s.s().asDouble());
    }

    static Value unary(KernelBuilder b, OpSpec.UnaryOp op, Value x) {
        return switch (op) {
            case SQRT -> b.sqrt(x);
            case RSQRT -> b.rsqrt(x);
            case ABS -> b.abs(x);
            case NEG -> b.neg(x);
            case LOG -> b.log(x);
            case EXP -> b.exp(x);
            case RECIPROCAL -> b.reciprocal(x);
            case IS_FINITE -> b.isFinite(x);
            case LOGICAL_NOT -> b.logicalNot(x);
            case ROUND -> b.round(x);
            case FLOOR -> b.floor(x);
            case CEIL -> b.ceil(x);
            case TRUNC -> b.trunc(x);
            case TANH -> b.tanh(x);
            case SIGMOID -> b.sigmoid(x);
            case ERF -> b.erf(x);
            case SIN -> b.sin(x);
            case COS -> b.cos(x);
        };
    }

    /**
     * The five public {@link KernelBuilder} overloads of one binary op (tensor with tensor, and a
     * double or long scalar on either side), so each op is mapped to its builder method once.
     */
    private record BuilderOverloads(
            TensorTensor tensors, TensorDouble doubleRight, DoubleTensor doubleLeft, TensorLong longRight, LongTensor longLeft) {}

    @FunctionalInterface
    private interface TensorTensor {
        Value apply(KernelBuilder b, Value x, Value y);
    }

    @FunctionalInterface
    private interface TensorDouble {
        Value apply(KernelBuilder b, Value x, double s);
    }

    @FunctionalInterface
    private interface DoubleTensor {
        Value apply(KernelBuilder b, double s, Value x);
    }

    @FunctionalInterface
    private interface TensorLong {
        Value apply(KernelBuilder b, Value x, long s);
    }

    @FunctionalInterface
    private interface LongTensor {
        Value apply(KernelBuilder b, long s, Value x);
    }

    private static BuilderOverloads overloads(BinaryOp op) {
        return switch (op) {
            case ADD -> new BuilderOverloads(KernelBuilder::add, KernelBuilder::add, KernelBuilder::add, KernelBuilder::add, KernelBuilder::add);
            case SUB -> new BuilderOverloads(KernelBuilder::sub, KernelBuilder::sub, KernelBuilder::sub, KernelBuilder::sub, KernelBuilder::sub);
            case MUL -> new BuilderOverloads(KernelBuilder::mul, KernelBuilder::mul, KernelBuilder::mul, KernelBuilder::mul, KernelBuilder::mul);
            case DIV -> new BuilderOverloads(KernelBuilder::div, KernelBuilder::div, KernelBuilder::div, KernelBuilder::div, KernelBuilder::div);
            case POW -> new BuilderOverloads(KernelBuilder::pow, KernelBuilder::pow, KernelBuilder::pow, KernelBuilder::pow, KernelBuilder::pow);
            case MAXIMUM -> new BuilderOverloads(KernelBuilder::maximum, KernelBuilder::maximum, KernelBuilder::maximum, KernelBuilder::maximum, KernelBuilder::maximum);
            case MINIMUM -> new BuilderOverloads(KernelBuilder::minimum, KernelBuilder::minimum, KernelBuilder::minimum, KernelBuilder::minimum, KernelBuilder::minimum);
            case EQUAL -> new BuilderOverloads(KernelBuilder::equal, KernelBuilder::equal, KernelBuilder::equal, KernelBuilder::equal, KernelBuilder::equal);
            case NOT_EQUAL -> new BuilderOverloads(KernelBuilder::notEqual, KernelBuilder::notEqual, KernelBuilder::notEqual, KernelBuilder::notEqual, KernelBuilder::notEqual);
            case GREATER -> new BuilderOverloads(KernelBuilder::greater, KernelBuilder::greater, KernelBuilder::greater, KernelBuilder::greater, KernelBuilder::greater);
            case GREATER_EQUAL -> new BuilderOverloads(KernelBuilder::greaterEqual, KernelBuilder::greaterEqual, KernelBuilder::greaterEqual, KernelBuilder::greaterEqual, KernelBuilder::greaterEqual);
            case LESS -> new BuilderOverloads(KernelBuilder::less, KernelBuilder::less, KernelBuilder::less, KernelBuilder::less, KernelBuilder::less);
            case LESS_EQUAL -> new BuilderOverloads(KernelBuilder::lessEqual, KernelBuilder::lessEqual, KernelBuilder::lessEqual, KernelBuilder::lessEqual, KernelBuilder::lessEqual);
            case LOGICAL_AND -> new BuilderOverloads(KernelBuilder::logicalAnd, KernelBuilder::logicalAnd, KernelBuilder::logicalAnd, KernelBuilder::logicalAnd, KernelBuilder::logicalAnd);
            case LOGICAL_OR -> new BuilderOverloads(KernelBuilder::logicalOr, KernelBuilder::logicalOr, KernelBuilder::logicalOr, KernelBuilder::logicalOr, KernelBuilder::logicalOr);
        };
    }

    /** The kernel, one op a line, e.g. {@code %3 = add(%1, %2)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("kernel ").append(name).append('\n');
        for (int i = 0; i < inputs.size(); i++) {
            sb.append("  %").append(i).append(" = input ").append(inputs.get(i)).append('\n');
        }
        for (int k = 0; k < ops.size(); k++) {
            sb.append("  %").append(inputs.size() + k).append(" = ").append(ops.get(k)).append('\n');
        }
        sb.append("  outputs ");
        for (int i = 0; i < outputs.size(); i++) {
            sb.append(i == 0 ? "%" : ", %").append(outputs.get(i));
        }
        return sb.toString();
    }
}
