package dev.dvm.core;

import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Builds a kernel op by op, DVM style. Every method checks what it can without concrete shapes
 * (ranks, axes, dtypes) and throws {@link DvmException} naming the op and the fix; dims are
 * checked when the kernel is normalised. NumPy broadcasting applies to every elementwise op.
 *
 * <pre>{@code
 * KernelBuilder b = new KernelBuilder("add_relu");
 * Value x = b.input(DType.F32, -1, 4096);   // dim 0 dynamic
 * Value y = b.input(DType.F32, 4096);
 * b.output(b.maximum(b.add(x, y), 0.0));
 * Kernel k = b.build();
 * }</pre>
 *
 * <h2>Dtype rules</h2>
 * The builder resolves every dtype question itself and records it in the graph as explicit
 * {@code CAST} and {@code CONST} nodes, so every node's operands already have the dtype the node
 * computes in and the compiler never promotes.
 * <ul>
 *   <li><b>Tensor ∘ tensor</b> (binary ops, compares, logical ops): both operands are cast to
 *       {@link DType#promote}: {@code BOOL < I32 < I64 < BF16, F16 < F32}, F16 with BF16 gives F32.
 *   <li><b>Tensor ∘ scalar</b>: the scalar takes the tensor's dtype, except that a {@code double}
 *       scalar with an integer or BOOL tensor makes the op F32 (the tensor is cast), and a
 *       {@code long} scalar with a BOOL tensor makes it I32. The scalar becomes a rank-0
 *       {@code CONST} of the compute dtype, rounded to it (F16/BF16 round to nearest even); a
 *       {@code long} that does not fit I32 is an error.
 *   <li>Compares ({@code equal … lessEqual}) and {@code logicalAnd/Or/Not} return BOOL.
 *   <li>{@code div} and {@code sqrt, rsqrt, log, exp, reciprocal, tanh, sigmoid, erf, sin, cos}
 *       on integer or BOOL operands cast them to F32 first (and return F32).
 *   <li>{@code add, sub, mul, pow} on BOOL operands compute in I32 and cast the result back to
 *       BOOL ({@code x != 0}), so BOOL + BOOL is a logical or, as in NumPy.
 *   <li>{@code abs, neg} on BOOL cast to I32 first (and return I32).
 *   <li>{@code round, floor, ceil, trunc} on integer or BOOL values return the value itself.
 *   <li>{@code isFinite} of an integer or BOOL value is a constant {@code true} broadcast to its shape.
 *   <li>{@code select(cond, a, b)}: cond is cast to BOOL unless it is; a and b are promoted.
 *   <li>{@code concat} promotes all its inputs to one dtype.
 *   <li>{@code reduceSum} of BOOL sums in I32 (result I32); of F16/BF16 accumulates in F32 and
 *       casts the sum back to the input dtype; {@code reduceMax/Min} keep the dtype.
 *   <li>{@code elemAny} returns BOOL; {@code oneHot} needs I32/I64 indices and returns the dtype
 *       given; {@code fill} and {@code oneHot} values must be integral for integer dtypes.
 * </ul>
 *
 * <p>A {@link Value} belongs to the builder that made it. After {@link #build()} the builder
 * throws {@link IllegalStateException}. A builder is not thread-safe; the {@link Kernel} it
 * builds is.
 */
public final class KernelBuilder {
    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Node> inputs = new ArrayList<>();
    private final List<Node> outputs = new ArrayList<>();
    private boolean built;

    /**
     * Starts a kernel, {@link KernelType#VECTOR} unless it gets a product ({@link #matmul},
     * {@link #groupedMatmul}); the name appears in dumps and errors.
     */
    public KernelBuilder(String name) {
        if (name == null || name.isBlank()) {
            throw new DvmException("KernelBuilder: the kernel needs a non-blank name; it appears in dumps and errors");
        }
        this.name = name;
    }

    /** The kernel's name. */
    public String name() {
        return name;
    }

    // ---- memory ----

    /** Declares the next input slot; a dim of -1 is dynamic. */
    public Value input(DType dtype, long... dims) {
        checkOpen();
        if (dtype == null || dims == null) {
            throw new DvmException("input: dtype and dims must not be null");
        }
        for (long d : dims) {
            if (d < -1) {
                throw new DvmException("input: dims " + Arrays.toString(dims) + " of input " + inputs.size()
                        + " have " + d + "; a dim is >= 0, or -1 when dynamic");
            }
        }
        Node n = node(Op.INPUT, List.of(), dtype, new Attrs.Input(inputs.size(), dims.clone()));
        inputs.add(n);
        return new Value(this, n, dims.length);
    }

    /** Stores {@code v} to the next output slot and returns that slot's index. */
    public int output(Value v) {
        check("output", v);
        int index = outputs.size();
        outputs.add(node(Op.STORE, List.of(v.node), v.dtype(), new Attrs.Output(index)));
        return index;
    }

    // ---- unary ----

    /** Square root; integer and BOOL inputs are cast to F32. */
    public Value sqrt(Value x) {
        return floatUnary(Op.SQRT, x);
    }

    /** 1 / sqrt(x); integer and BOOL inputs are cast to F32. */
    public Value rsqrt(Value x) {
        return floatUnary(Op.RSQRT, x);
    }

    /** |x|; BOOL is cast to I32 first. */
    public Value abs(Value x) {
        return intUnary(Op.ABS, x);
    }

    /** -x; BOOL is cast to I32 first. */
    public Value neg(Value x) {
        return intUnary(Op.NEG, x);
    }

    /** Natural logarithm; integer and BOOL inputs are cast to F32. */
    public Value log(Value x) {
        return floatUnary(Op.LOG, x);
    }

    /** e^x; integer and BOOL inputs are cast to F32. */
    public Value exp(Value x) {
        return floatUnary(Op.EXP, x);
    }

    /** 1 / x; integer and BOOL inputs are cast to F32. */
    public Value reciprocal(Value x) {
        return floatUnary(Op.RECIPROCAL, x);
    }

    /** BOOL: x is neither infinite nor NaN (always true for integers and BOOL). */
    public Value isFinite(Value x) {
        check("isFinite", x);
        if (x.dtype().isFloat()) {
            return value(node(Op.ISFINITE, List.of(x.node), DType.BOOL, new Attrs.None()), x.rank);
        }
        Node yes = constant(DType.BOOL, 1, 1);
        return value(node(Op.BROADCAST, List.of(yes, x.node), DType.BOOL, new Attrs.None()), x.rank);
    }

    /** BOOL: x == 0. */
    public Value logicalNot(Value x) {
        check("logicalNot", x);
        return value(node(Op.LOGICAL_NOT, List.of(x.node), DType.BOOL, new Attrs.None()), x.rank);
    }

    /** Rounds to nearest, ties to even; integers and BOOL are returned as they are. */
    public Value round(Value x) {
        return rounding(Op.ROUND, x);
    }

    /** Rounds toward -∞; integers and BOOL are returned as they are. */
    public Value floor(Value x) {
        return rounding(Op.FLOOR, x);
    }

    /** Rounds toward +∞; integers and BOOL are returned as they are. */
    public Value ceil(Value x) {
        return rounding(Op.CEIL, x);
    }

    /** Rounds toward zero; integers and BOOL are returned as they are. */
    public Value trunc(Value x) {
        return rounding(Op.TRUNC, x);
    }

    /** Hyperbolic tangent; integer and BOOL inputs are cast to F32. */
    public Value tanh(Value x) {
        return floatUnary(Op.TANH, x);
    }

    /** 1 / (1 + e^-x); integer and BOOL inputs are cast to F32. */
    public Value sigmoid(Value x) {
        return floatUnary(Op.SIGMOID, x);
    }

    /** The error function; integer and BOOL inputs are cast to F32. */
    public Value erf(Value x) {
        return floatUnary(Op.ERF, x);
    }

    /** Sine; integer and BOOL inputs are cast to F32. */
    public Value sin(Value x) {
        return floatUnary(Op.SIN, x);
    }

    /** Cosine; integer and BOOL inputs are cast to F32. */
    public Value cos(Value x) {
        return floatUnary(Op.COS, x);
    }

    // ---- binary: each as (Value, Value), (Value, double), (double, Value), (Value, long), (long, Value) ----

    /** Elementwise sum; integers wrap; BOOL operands add as I32 and the result is cast back to BOOL (x != 0). */
    public Value add(Value a, Value b) {
        return binary(Op.ADD, a, b);
    }

    /** add(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value add(Value a, double b) {
        return binary(Op.ADD, a, doubleScalar(Op.ADD, a, b), false);
    }

    /** add(a, b) with a {@code double} scalar a. */
    public Value add(double a, Value b) {
        return binary(Op.ADD, b, doubleScalar(Op.ADD, b, a), true);
    }

    /** add(a, b) with a {@code long} scalar b. */
    public Value add(Value a, long b) {
        return binary(Op.ADD, a, longScalar(Op.ADD, a, b), false);
    }

    /** add(a, b) with a {@code long} scalar a. */
    public Value add(long a, Value b) {
        return binary(Op.ADD, b, longScalar(Op.ADD, b, a), true);
    }

    /** Elementwise difference; integers wrap; BOOL operands subtract as I32, the result cast back to BOOL. */
    public Value sub(Value a, Value b) {
        return binary(Op.SUB, a, b);
    }

    /** sub(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value sub(Value a, double b) {
        return binary(Op.SUB, a, doubleScalar(Op.SUB, a, b), false);
    }

    /** sub(a, b) with a {@code double} scalar a. */
    public Value sub(double a, Value b) {
        return binary(Op.SUB, b, doubleScalar(Op.SUB, b, a), true);
    }

    /** sub(a, b) with a {@code long} scalar b. */
    public Value sub(Value a, long b) {
        return binary(Op.SUB, a, longScalar(Op.SUB, a, b), false);
    }

    /** sub(a, b) with a {@code long} scalar a. */
    public Value sub(long a, Value b) {
        return binary(Op.SUB, b, longScalar(Op.SUB, b, a), true);
    }

    /** Elementwise product; integers wrap; BOOL operands multiply as I32, the result cast back to BOOL. */
    public Value mul(Value a, Value b) {
        return binary(Op.MUL, a, b);
    }

    /** mul(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value mul(Value a, double b) {
        return binary(Op.MUL, a, doubleScalar(Op.MUL, a, b), false);
    }

    /** mul(a, b) with a {@code double} scalar a. */
    public Value mul(double a, Value b) {
        return binary(Op.MUL, b, doubleScalar(Op.MUL, b, a), true);
    }

    /** mul(a, b) with a {@code long} scalar b. */
    public Value mul(Value a, long b) {
        return binary(Op.MUL, a, longScalar(Op.MUL, a, b), false);
    }

    /** mul(a, b) with a {@code long} scalar a. */
    public Value mul(long a, Value b) {
        return binary(Op.MUL, b, longScalar(Op.MUL, b, a), true);
    }

    /** Elementwise quotient, always in a float dtype: integer or BOOL operands are cast to F32 first. */
    public Value div(Value a, Value b) {
        return binary(Op.DIV, a, b);
    }

    /** div(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value div(Value a, double b) {
        return binary(Op.DIV, a, doubleScalar(Op.DIV, a, b), false);
    }

    /** div(a, b) with a {@code double} scalar a. */
    public Value div(double a, Value b) {
        return binary(Op.DIV, b, doubleScalar(Op.DIV, b, a), true);
    }

    /** div(a, b) with a {@code long} scalar b. */
    public Value div(Value a, long b) {
        return binary(Op.DIV, a, longScalar(Op.DIV, a, b), false);
    }

    /** div(a, b) with a {@code long} scalar a. */
    public Value div(long a, Value b) {
        return binary(Op.DIV, b, longScalar(Op.DIV, b, a), true);
    }

    /** Elementwise power a^b; for integers by repeated squaring (see the POW instruction). */
    public Value pow(Value a, Value b) {
        return binary(Op.POW, a, b);
    }

    /** pow(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value pow(Value a, double b) {
        return binary(Op.POW, a, doubleScalar(Op.POW, a, b), false);
    }

    /** pow(a, b) with a {@code double} scalar a. */
    public Value pow(double a, Value b) {
        return binary(Op.POW, b, doubleScalar(Op.POW, b, a), true);
    }

    /** pow(a, b) with a {@code long} scalar b. */
    public Value pow(Value a, long b) {
        return binary(Op.POW, a, longScalar(Op.POW, a, b), false);
    }

    /** pow(a, b) with a {@code long} scalar a. */
    public Value pow(long a, Value b) {
        return binary(Op.POW, b, longScalar(Op.POW, b, a), true);
    }

    /** Elementwise maximum; NaN if either operand is NaN. */
    public Value maximum(Value a, Value b) {
        return binary(Op.MAXIMUM, a, b);
    }

    /** maximum(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value maximum(Value a, double b) {
        return binary(Op.MAXIMUM, a, doubleScalar(Op.MAXIMUM, a, b), false);
    }

    /** maximum(a, b) with a {@code double} scalar a. */
    public Value maximum(double a, Value b) {
        return binary(Op.MAXIMUM, b, doubleScalar(Op.MAXIMUM, b, a), true);
    }

    /** maximum(a, b) with a {@code long} scalar b. */
    public Value maximum(Value a, long b) {
        return binary(Op.MAXIMUM, a, longScalar(Op.MAXIMUM, a, b), false);
    }

    /** maximum(a, b) with a {@code long} scalar a. */
    public Value maximum(long a, Value b) {
        return binary(Op.MAXIMUM, b, longScalar(Op.MAXIMUM, b, a), true);
    }

    /** Elementwise minimum; NaN if either operand is NaN. */
    public Value minimum(Value a, Value b) {
        return binary(Op.MINIMUM, a, b);
    }

    /** minimum(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value minimum(Value a, double b) {
        return binary(Op.MINIMUM, a, doubleScalar(Op.MINIMUM, a, b), false);
    }

    /** minimum(a, b) with a {@code double} scalar a. */
    public Value minimum(double a, Value b) {
        return binary(Op.MINIMUM, b, doubleScalar(Op.MINIMUM, b, a), true);
    }

    /** minimum(a, b) with a {@code long} scalar b. */
    public Value minimum(Value a, long b) {
        return binary(Op.MINIMUM, a, longScalar(Op.MINIMUM, a, b), false);
    }

    /** minimum(a, b) with a {@code long} scalar a. */
    public Value minimum(long a, Value b) {
        return binary(Op.MINIMUM, b, longScalar(Op.MINIMUM, b, a), true);
    }

    /** Elementwise a == b as BOOL, compared in the promoted dtype. */
    public Value equal(Value a, Value b) {
        return binary(Op.EQUAL, a, b);
    }

    /** equal(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value equal(Value a, double b) {
        return binary(Op.EQUAL, a, doubleScalar(Op.EQUAL, a, b), false);
    }

    /** equal(a, b) with a {@code double} scalar a. */
    public Value equal(double a, Value b) {
        return binary(Op.EQUAL, b, doubleScalar(Op.EQUAL, b, a), true);
    }

    /** equal(a, b) with a {@code long} scalar b. */
    public Value equal(Value a, long b) {
        return binary(Op.EQUAL, a, longScalar(Op.EQUAL, a, b), false);
    }

    /** equal(a, b) with a {@code long} scalar a. */
    public Value equal(long a, Value b) {
        return binary(Op.EQUAL, b, longScalar(Op.EQUAL, b, a), true);
    }

    /** Elementwise a != b as BOOL, compared in the promoted dtype. */
    public Value notEqual(Value a, Value b) {
        return binary(Op.NOT_EQUAL, a, b);
    }

    /** notEqual(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value notEqual(Value a, double b) {
        return binary(Op.NOT_EQUAL, a, doubleScalar(Op.NOT_EQUAL, a, b), false);
    }

    /** notEqual(a, b) with a {@code double} scalar a. */
    public Value notEqual(double a, Value b) {
        return binary(Op.NOT_EQUAL, b, doubleScalar(Op.NOT_EQUAL, b, a), true);
    }

    /** notEqual(a, b) with a {@code long} scalar b. */
    public Value notEqual(Value a, long b) {
        return binary(Op.NOT_EQUAL, a, longScalar(Op.NOT_EQUAL, a, b), false);
    }

    /** notEqual(a, b) with a {@code long} scalar a. */
    public Value notEqual(long a, Value b) {
        return binary(Op.NOT_EQUAL, b, longScalar(Op.NOT_EQUAL, b, a), true);
    }

    /** Elementwise a > b as BOOL, compared in the promoted dtype. */
    public Value greater(Value a, Value b) {
        return binary(Op.GREATER, a, b);
    }

    /** greater(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value greater(Value a, double b) {
        return binary(Op.GREATER, a, doubleScalar(Op.GREATER, a, b), false);
    }

    /** greater(a, b) with a {@code double} scalar a. */
    public Value greater(double a, Value b) {
        return binary(Op.GREATER, b, doubleScalar(Op.GREATER, b, a), true);
    }

    /** greater(a, b) with a {@code long} scalar b. */
    public Value greater(Value a, long b) {
        return binary(Op.GREATER, a, longScalar(Op.GREATER, a, b), false);
    }

    /** greater(a, b) with a {@code long} scalar a. */
    public Value greater(long a, Value b) {
        return binary(Op.GREATER, b, longScalar(Op.GREATER, b, a), true);
    }

    /** Elementwise a >= b as BOOL, compared in the promoted dtype. */
    public Value greaterEqual(Value a, Value b) {
        return binary(Op.GREATER_EQUAL, a, b);
    }

    /** greaterEqual(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value greaterEqual(Value a, double b) {
        return binary(Op.GREATER_EQUAL, a, doubleScalar(Op.GREATER_EQUAL, a, b), false);
    }

    /** greaterEqual(a, b) with a {@code double} scalar a. */
    public Value greaterEqual(double a, Value b) {
        return binary(Op.GREATER_EQUAL, b, doubleScalar(Op.GREATER_EQUAL, b, a), true);
    }

    /** greaterEqual(a, b) with a {@code long} scalar b. */
    public Value greaterEqual(Value a, long b) {
        return binary(Op.GREATER_EQUAL, a, longScalar(Op.GREATER_EQUAL, a, b), false);
    }

    /** greaterEqual(a, b) with a {@code long} scalar a. */
    public Value greaterEqual(long a, Value b) {
        return binary(Op.GREATER_EQUAL, b, longScalar(Op.GREATER_EQUAL, b, a), true);
    }

    /** Elementwise a < b as BOOL, compared in the promoted dtype. */
    public Value less(Value a, Value b) {
        return binary(Op.LESS, a, b);
    }

    /** less(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value less(Value a, double b) {
        return binary(Op.LESS, a, doubleScalar(Op.LESS, a, b), false);
    }

    /** less(a, b) with a {@code double} scalar a. */
    public Value less(double a, Value b) {
        return binary(Op.LESS, b, doubleScalar(Op.LESS, b, a), true);
    }

    /** less(a, b) with a {@code long} scalar b. */
    public Value less(Value a, long b) {
        return binary(Op.LESS, a, longScalar(Op.LESS, a, b), false);
    }

    /** less(a, b) with a {@code long} scalar a. */
    public Value less(long a, Value b) {
        return binary(Op.LESS, b, longScalar(Op.LESS, b, a), true);
    }

    /** Elementwise a <= b as BOOL, compared in the promoted dtype. */
    public Value lessEqual(Value a, Value b) {
        return binary(Op.LESS_EQUAL, a, b);
    }

    /** lessEqual(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value lessEqual(Value a, double b) {
        return binary(Op.LESS_EQUAL, a, doubleScalar(Op.LESS_EQUAL, a, b), false);
    }

    /** lessEqual(a, b) with a {@code double} scalar a. */
    public Value lessEqual(double a, Value b) {
        return binary(Op.LESS_EQUAL, b, doubleScalar(Op.LESS_EQUAL, b, a), true);
    }

    /** lessEqual(a, b) with a {@code long} scalar b. */
    public Value lessEqual(Value a, long b) {
        return binary(Op.LESS_EQUAL, a, longScalar(Op.LESS_EQUAL, a, b), false);
    }

    /** lessEqual(a, b) with a {@code long} scalar a. */
    public Value lessEqual(long a, Value b) {
        return binary(Op.LESS_EQUAL, b, longScalar(Op.LESS_EQUAL, b, a), true);
    }

    /** Elementwise (a != 0) and (b != 0) as BOOL. */
    public Value logicalAnd(Value a, Value b) {
        return binary(Op.LOGICAL_AND, a, b);
    }

    /** logicalAnd(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value logicalAnd(Value a, double b) {
        return binary(Op.LOGICAL_AND, a, doubleScalar(Op.LOGICAL_AND, a, b), false);
    }

    /** logicalAnd(a, b) with a {@code double} scalar a. */
    public Value logicalAnd(double a, Value b) {
        return binary(Op.LOGICAL_AND, b, doubleScalar(Op.LOGICAL_AND, b, a), true);
    }

    /** logicalAnd(a, b) with a {@code long} scalar b. */
    public Value logicalAnd(Value a, long b) {
        return binary(Op.LOGICAL_AND, a, longScalar(Op.LOGICAL_AND, a, b), false);
    }

    /** logicalAnd(a, b) with a {@code long} scalar a. */
    public Value logicalAnd(long a, Value b) {
        return binary(Op.LOGICAL_AND, b, longScalar(Op.LOGICAL_AND, b, a), true);
    }

    /** Elementwise (a != 0) or (b != 0) as BOOL. */
    public Value logicalOr(Value a, Value b) {
        return binary(Op.LOGICAL_OR, a, b);
    }

    /** logicalOr(a, b) with a {@code double} scalar b (see the class Javadoc for its dtype). */
    public Value logicalOr(Value a, double b) {
        return binary(Op.LOGICAL_OR, a, doubleScalar(Op.LOGICAL_OR, a, b), false);
    }

    /** logicalOr(a, b) with a {@code double} scalar a. */
    public Value logicalOr(double a, Value b) {
        return binary(Op.LOGICAL_OR, b, doubleScalar(Op.LOGICAL_OR, b, a), true);
    }

    /** logicalOr(a, b) with a {@code long} scalar b. */
    public Value logicalOr(Value a, long b) {
        return binary(Op.LOGICAL_OR, a, longScalar(Op.LOGICAL_OR, a, b), false);
    }

    /** logicalOr(a, b) with a {@code long} scalar a. */
    public Value logicalOr(long a, Value b) {
        return binary(Op.LOGICAL_OR, b, longScalar(Op.LOGICAL_OR, b, a), true);
    }

    // ---- other ----

    /** Elementwise {@code cond ? a : b}; cond is cast to BOOL unless it is, a and b are promoted. */
    public Value select(Value cond, Value a, Value b) {
        check("select", cond, a, b);
        DType t = DType.promote(a.dtype(), b.dtype());
        Node c = castNode(cond, DType.BOOL);
        int rank = Math.max(cond.rank, Math.max(a.rank, b.rank));
        return value(node(Op.SELECT, List.of(c, castNode(a, t), castNode(b, t)), t, new Attrs.None()), rank);
    }

    /** Converts to {@code to} (see the CAST instruction); a cast to the same dtype returns x. */
    public Value cast(Value x, DType to) {
        check("cast", x);
        if (to == null) {
            throw new DvmException("cast: target dtype must not be null");
        }
        return x.dtype() == to ? x : value(castNode(x, to), x.rank);
    }

    /** Broadcasts to {@code dims} (NumPy rules, right-aligned; -1 keeps x's dim). */
    public Value broadcast(Value x, long... dims) {
        check("broadcast", x);
        if (dims == null || dims.length < x.rank) {
            throw new DvmException("broadcast: cannot broadcast a rank-" + x.rank + " value to "
                    + (dims == null ? "null" : Arrays.toString(dims)) + "; give at least " + x.rank + " target dims");
        }
        int lead = dims.length - x.rank;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < -1 || (dims[i] == -1 && i < lead)) {
                throw new DvmException("broadcast: target " + Arrays.toString(dims) + " for a rank-" + x.rank + " value has "
                        + dims[i] + " at index " + i + "; dims are >= 0, and -1 (keep x's dim) only where x has a dim (index >= "
                        + lead + ")");
            }
        }
        return value(node(Op.BROADCAST, List.of(x.node), x.dtype(), new Attrs.Shape(dims.clone())), dims.length);
    }

    /** Broadcasts to the shape of {@code like} (known only per instance); like's elements are not read. */
    public Value broadcastLike(Value x, Value like) {
        check("broadcastLike", x, like);
        if (like.rank < x.rank) {
            throw new DvmException("broadcastLike: cannot broadcast a rank-" + x.rank + " value to the shape of a rank-" + like.rank
                    + " value; reshape x to at most " + like.rank + " dims");
        }
        return value(node(Op.BROADCAST, List.of(x.node, like.node), x.dtype(), new Attrs.None()), like.rank);
    }

    /** A tensor of {@code like}'s shape filled with {@code value} in {@code dtype}. */
    public Value fill(double value, DType dtype, Value like) {
        check("fill", like);
        if (dtype == null) {
            throw new DvmException("fill: dtype must not be null");
        }
        Attrs.Scalar s = scalarOf("fill", dtype, value);
        Node c = constant(dtype, s.asDouble(), s.asLong());
        return value(node(Op.BROADCAST, List.of(c, like.node), dtype, new Attrs.None()), like.rank);
    }

    /** Reshape; one dim may be -1 (inferred), 0 copies the input's dim at that index. */
    public Value reshape(Value x, long... dims) {
        check("reshape", x);
        if (dims == null) {
            throw new DvmException("reshape: dims must not be null");
        }
        int inferred = 0;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < -1) {
                throw new DvmException("reshape: target " + Arrays.toString(dims) + " has " + dims[i]
                        + "; a dim is >= 1, 0 (copy x's dim) or -1 (inferred)");
            }
            if (dims[i] == 0 && i >= x.rank) {
                throw new DvmException("reshape: target " + Arrays.toString(dims) + " has 0 (copy x's dim) at index " + i
                        + " but x has rank " + x.rank + "; give the dim explicitly");
            }
            if (dims[i] == -1 && ++inferred > 1) {
                throw new DvmException("reshape: target " + Arrays.toString(dims) + " has more than one -1; infer at most one dim");
            }
        }
        return value(node(Op.RESHAPE, List.of(x.node), x.dtype(), new Attrs.Shape(dims.clone())), dims.length);
    }

    /** Reorders dims: dim {@code i} of the result is dim {@code perm[i]} of x (negatives count from the end). */
    public Value permute(Value x, int... perm) {
        check("permute", x);
        if (perm == null || perm.length != x.rank) {
            throw new DvmException("permute: " + (perm == null ? "null" : Arrays.toString(perm)) + " for a rank-" + x.rank
                    + " value is not a permutation; give each of the " + x.rank + " axes exactly once");
        }
        int[] axes = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int a = perm[i] < 0 ? perm[i] + perm.length : perm[i];
            if (a < 0 || a >= perm.length || seen[a]) {
                throw new DvmException("permute: " + Arrays.toString(perm) + " for a rank-" + x.rank
                        + " value is not a permutation; give each axis in [" + -x.rank + ", " + x.rank + ") exactly once");
            }
            seen[a] = true;
            axes[i] = a;
        }
        return value(node(Op.PERMUTE, List.of(x.node), x.dtype(), new Attrs.Axes(axes)), x.rank);
    }

    /** Python-style slice per axis; begin/end may be negative; Long.MAX_VALUE end = to the end. */
    public Value slice(Value x, long[] begin, long[] end, long[] step) {
        check("slice", x);
        if (begin == null || end == null || step == null || begin.length != x.rank || end.length != x.rank || step.length != x.rank) {
            throw new DvmException("slice: begin " + str(begin) + ", end " + str(end) + " and step " + str(step)
                    + " must each have one entry per axis of the rank-" + x.rank + " value");
        }
        for (int i = 0; i < step.length; i++) {
            if (step[i] < 1) {
                throw new DvmException("slice: step " + Arrays.toString(step) + " has " + step[i] + " on axis " + i
                        + "; steps must be >= 1");
            }
        }
        return value(node(Op.SLICE, List.of(x.node), x.dtype(), new Attrs.Slice(begin.clone(), end.clone(), step.clone())), x.rank);
    }

    /** Joins {@code xs} along {@code axis}; all other dims must be equal; dtypes are promoted. */
    public Value concat(int axis, Value... xs) {
        check("concat", xs);
        if (xs.length == 0) {
            throw new DvmException("concat: no inputs; pass at least one value");
        }
        int rank = xs[0].rank;
        DType t = xs[0].dtype();
        for (int i = 1; i < xs.length; i++) {
            if (xs[i].rank != rank) {
                throw new DvmException("concat: input " + i + " has rank " + xs[i].rank + " but input 0 has rank " + rank
                        + "; reshape them to one rank");
            }
            t = DType.promote(t, xs[i].dtype());
        }
        int a = axis("concat", axis, rank);
        List<Node> ins = new ArrayList<>(xs.length);
        for (Value x : xs) {
            ins.add(castNode(x, t));
        }
        return value(node(Op.CONCAT, List.copyOf(ins), t, new Attrs.Axes(new int[] {a})), rank);
    }

    /** Splits {@code axis} into parts of {@code sizes} (one may be -1). */
    public Value[] split(Value x, int axis, long... sizes) {
        check("split", x);
        int a = axis("split", axis, x.rank);
        if (sizes == null || sizes.length == 0) {
            throw new DvmException("split: no sizes; give one size per part");
        }
        int inferred = 0;
        for (long s : sizes) {
            if (s < -1 || (s == -1 && ++inferred > 1)) {
                throw new DvmException("split: sizes " + Arrays.toString(sizes) + " are invalid; sizes are >= 0 with at most one -1 (the rest)");
            }
        }
        long[] owned = sizes.clone();
        Value[] parts = new Value[owned.length];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = value(node(Op.SPLIT, List.of(x.node), x.dtype(), new Attrs.Split(a, owned, 0, i)), x.rank);
        }
        return parts;
    }

    /** Splits {@code axis} into {@code parts} equal parts (the dim must divide). */
    public Value[] split(Value x, int axis, int parts) {
        check("split", x);
        int a = axis("split", axis, x.rank);
        if (parts < 1) {
            throw new DvmException("split: " + parts + " parts; split into at least 1 part");
        }
        Value[] out = new Value[parts];
        for (int i = 0; i < parts; i++) {
            out[i] = value(node(Op.SPLIT, List.of(x.node), x.dtype(), new Attrs.Split(a, null, parts, i)), x.rank);
        }
        return out;
    }

    /** One-hot encoding along a new innermost axis of {@code depth}: {@code on} where the index hits, else {@code off}. */
    public Value oneHot(Value indices, long depth, double on, double off, DType dtype) {
        check("oneHot", indices);
        if (!indices.dtype().isInteger()) {
            throw new DvmException("oneHot: indices are " + indices.dtype() + "; they must be I32 or I64 (cast them first)");
        }
        if (depth < 0) {
            throw new DvmException("oneHot: depth " + depth + " is negative; depth must be >= 0");
        }
        if (dtype == null) {
            throw new DvmException("oneHot: dtype must not be null");
        }
        double onValue = scalarOf("oneHot", dtype, on).asDouble();
        double offValue = scalarOf("oneHot", dtype, off).asDouble();
        return value(node(Op.ONE_HOT, List.of(indices.node), dtype, new Attrs.OneHot(depth, onValue, offValue)), indices.rank + 1);
    }

    /** An explicit copy of x. */
    public Value copy(Value x) {
        check("copy", x);
        return value(node(Op.COPY, List.of(x.node), x.dtype(), new Attrs.None()), x.rank);
    }

    /** Rank-0 BOOL: whether any element of x is non-zero (false for an empty x). */
    public Value elemAny(Value x) {
        check("elemAny", x);
        return value(node(Op.ELEM_ANY, List.of(castNode(x, DType.BOOL)), DType.BOOL, new Attrs.Reduce(allAxes(x.rank), false)), 0);
    }

    /** Sums over {@code axes} (negative counts from the end; none = all axes). */
    public Value reduceSum(Value x, boolean keepDims, int... axes) {
        check("reduceSum", x);
        Attrs.Reduce r = reduceAttrs("reduceSum", x, keepDims, axes);
        int rank = keepDims ? x.rank : x.rank - r.axes().length;
        DType in = x.dtype();
        DType acc = switch (in) {
            case BOOL -> DType.I32;
            case F16, BF16 -> DType.F32;
            default -> in;
        };
        Node sum = node(Op.REDUCE_SUM, List.of(castNode(x, acc)), acc, r);
        return value(in == DType.BOOL ? sum : castNode(sum, in), rank);
    }

    /** Maximum over {@code axes} (negative counts from the end; none = all axes); NaN if any is NaN. */
    public Value reduceMax(Value x, boolean keepDims, int... axes) {
        return reduce(Op.REDUCE_MAX, "reduceMax", x, keepDims, axes);
    }

    /** Minimum over {@code axes} (negative counts from the end; none = all axes); NaN if any is NaN. */
    public Value reduceMin(Value x, boolean keepDims, int... axes) {
        return reduce(Op.REDUCE_MIN, "reduceMin", x, keepDims, axes);
    }

    // ---- cube ----

    /** The matrix product a · b: {@code matmul(a, b, false, false, null)}. */
    public Value matmul(Value a, Value b) {
        return matmul(a, b, false, false, null);
    }

    /**
     * The matrix product of a [..., M, K] and b [..., K, N] on the cube unit, plus {@code bias} when
     * not null: an F32 value of the broadcast batch dims followed by [M, N]. {@code transA} reads a
     * as [..., K, M], {@code transB} reads b as [..., N, K]. Operands are kernel inputs of rank 2 to
     * 4 in F32, F16 or BF16, widened exactly and accumulated in F32 in a fixed order (see the MATMUL
     * instruction), so results do not depend on the core count. The bias broadcasts to the result
     * and is added by the vector unit, as any elementwise op after the product: the kernel becomes
     * a {@link KernelType#MIX} kernel. Cast the result for an F16 or BF16 output.
     */
    public Value matmul(Value a, Value b, boolean transA, boolean transB, Value bias) {
        check("matmul", a, b);
        checkOperand("a", a);
        checkOperand("b", b);
        long[] da = ((Attrs.Input) a.node.attrs()).dims();
        long[] db = ((Attrs.Input) b.node.attrs()).dims();
        long ka = da[da.length - (transA ? 2 : 1)];
        long kb = db[db.length - (transB ? 1 : 2)];
        if (ka >= 0 && kb >= 0 && ka != kb) {
            throw new DvmException("matmul: inner dims do not match: a " + str(da) + (transA ? " (transposed)" : "") + " has K = " + ka + ", b "
                    + str(db) + (transB ? " (transposed)" : "") + " has K = " + kb
                    + "; pass operands whose K agree, or read one transposed (transA/transB)");
        }
        Value product = value(node(Op.MATMUL, List.of(a.node, b.node), DType.F32, new Attrs.MatMul(transA, transB, null)), Math.max(a.rank, b.rank));
        return bias == null ? product : add(product, bias);
    }

    /**
     * A grouped product on the cube unit, the group sizes read at run time from {@code groupList}
     * (a rank-1 I32 or I64 kernel input of G non-negative sizes). {@link GroupSplit#M}: a [M, K]
     * by b [G, K, N], rows of a in consecutive groups, group g by b[g], an F32 [M, N]; the sizes sum
     * to M. {@link GroupSplit#K}: a [M, K] by b [K, N], K in consecutive groups, an F32 [G, M, N]
     * holding each group's product; the sizes sum to K. Sizes that do not sum up fail the launch.
     */
    public Value groupedMatmul(Value a, Value b, Value groupList, GroupSplit split) {
        check("groupedMatmul", a, b, groupList);
        if (split == null) {
            throw new DvmException("groupedMatmul: split must not be null; give GroupSplit.M or GroupSplit.K");
        }
        checkOperand("a", a);
        checkOperand("b", b);
        int bRank = split == GroupSplit.M ? 3 : 2;
        if (a.rank != 2 || b.rank != bRank) {
            throw new DvmException("groupedMatmul: a has rank " + a.rank + " and b rank " + b.rank + "; split " + split + " takes a [M, K] and b "
                    + (split == GroupSplit.M ? "[G, K, N]" : "[K, N]"));
        }
        if (groupList.node.op() != Op.INPUT || groupList.rank != 1 || (groupList.dtype() != DType.I32 && groupList.dtype() != DType.I64)) {
            throw new DvmException("groupedMatmul: groupList is " + groupList + "; it must be a rank-1 I32 or I64 kernel input of group sizes");
        }
        long[] da = ((Attrs.Input) a.node.attrs()).dims();
        long[] db = ((Attrs.Input) b.node.attrs()).dims();
        long kb = db[db.length - 2];
        if (da[1] >= 0 && kb >= 0 && da[1] != kb) {
            throw new DvmException("groupedMatmul: inner dims do not match: a " + str(da) + " has K = " + da[1] + ", b " + str(db) + " has K = " + kb
                    + "; pass operands whose K agree");
        }
        return value(node(Op.MATMUL, List.of(a.node, b.node, groupList.node), DType.F32, new Attrs.MatMul(false, false, split)), split == GroupSplit.M ? 2 : 3);
    }

    private void checkOperand(String which, Value x) {
        if (x.node.op() != Op.INPUT) {
            throw new DvmException("matmul: operand " + which + " is computed in this kernel (" + x + "); the cube reads kernel inputs only, "
                    + "and ops before a product do not fuse into it: compute the operand in a VECTOR kernel and pass its result as an input");
        }
        if (x.rank < 2 || x.rank > 4) {
            throw new DvmException("matmul: operand " + which + " has rank " + x.rank + "; a product takes ranks 2 to 4 ([batch..., rows, cols]): "
                    + "reshape it in the kernel that produces it");
        }
        if (!x.dtype().isFloat()) {
            throw new DvmException("matmul: operand " + which + " is " + x.dtype() + "; the cube multiplies F32, F16 or BF16: pass a float tensor");
        }
    }

    /** Finishes the kernel; the builder cannot be used afterwards. */
    public Kernel build() {
        checkOpen();
        if (outputs.isEmpty()) {
            throw new DvmException("build: kernel '" + name + "' has no outputs; call output(value) before build()");
        }
        KernelType type = kernelType();
        built = true;
        return new Kernel(this, new Graph(name, List.copyOf(nodes), List.copyOf(inputs), List.copyOf(outputs)), type);
    }

    /**
     * VECTOR without a product; with one, CUBE when it is stored as it is and MIX when elementwise
     * ops follow it. Anything else around a product is an error that says which kernel to use
     * (that ops after the product keep its shape is checked with the shapes, when normalising).
     */
    private KernelType kernelType() {
        Node product = null;
        for (Node n : nodes) {
            if (n.op() == Op.MATMUL) {
                if (product != null) {
                    throw new DvmException("build: kernel '" + name + "' holds two products (" + product + " and " + n
                            + "); a CUBE or MIX kernel holds one: build one kernel per product");
                }
                product = n;
            }
        }
        if (product == null) {
            return KernelType.VECTOR;
        }
        boolean[] after = new boolean[nodes.size()];
        after[product.id()] = true;
        boolean epilogue = false;
        for (Node n : nodes) {
            for (Node in : n.inputs()) {
                after[n.id()] |= after[in.id()];
            }
            Op op = n.op();
            if (n == product || op == Op.INPUT || op == Op.CONST || op == Op.STORE) {
                if (op == Op.STORE && !after[n.id()]) {
                    throw new DvmException("build: output " + ((Attrs.Output) n.attrs()).index() + " of kernel '" + name + "' does not depend on the product "
                            + product + "; a CUBE or MIX kernel outputs its product and what follows it: compute this output in a VECTOR kernel");
                }
                continue;
            }
            if (!op.isElementwise()) {
                throw new DvmException("build: " + opName(op) + " (" + n + ") cannot join kernel '" + name + "' with product " + product
                        + "; a MIX kernel holds one product followed by elementwise ops (bias, scale, activations, residual add, cast): "
                        + "run the " + opName(op) + " in a VECTOR kernel");
            }
            epilogue |= after[n.id()];
        }
        return epilogue ? KernelType.MIX : KernelType.CUBE;
    }

    // ---- internals ----

    private Value reduce(Op op, String opName, Value x, boolean keepDims, int[] axes) {
        check(opName, x);
        Attrs.Reduce r = reduceAttrs(opName, x, keepDims, axes);
        return value(node(op, List.of(x.node), x.dtype(), r), keepDims ? x.rank : x.rank - r.axes().length);
    }

    private static Attrs.Reduce reduceAttrs(String op, Value x, boolean keepDims, int[] axes) {
        if (axes == null || axes.length == 0) {
            return new Attrs.Reduce(allAxes(x.rank), keepDims);
        }
        boolean[] seen = new boolean[x.rank];
        for (int axis : axes) {
            int a = axis(op, axis, x.rank);
            if (seen[a]) {
                throw new DvmException(op + ": axes " + Arrays.toString(axes) + " name axis " + a + " twice for a rank-" + x.rank
                        + " value; give each axis once");
            }
            seen[a] = true;
        }
        int[] sorted = new int[axes.length];
        int k = 0;
        for (int a = 0; a < x.rank; a++) {
            if (seen[a]) {
                sorted[k++] = a;
            }
        }
        return new Attrs.Reduce(sorted, keepDims);
    }

    private static int[] allAxes(int rank) {
        int[] all = new int[rank];
        for (int i = 0; i < rank; i++) {
            all[i] = i;
        }
        return all;
    }

    private static int axis(String op, int axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw new DvmException(op + ": axis " + axis + " out of range for a rank-" + rank + " value; axis must be in ["
                    + -rank + ", " + rank + ")");
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** A literal operand of a binary op before the op's compute dtype is known. */
    private record Literal(DType dtype, double asDouble, long asLong, boolean integral) {}

    private Literal doubleScalar(Op op, Value tensor, double s) {
        check(opName(op), tensor);
        DType t = tensor.dtype().isFloat() ? tensor.dtype() : DType.F32;
        return new Literal(t, s, 0, false);
    }

    private Literal longScalar(Op op, Value tensor, long s) {
        check(opName(op), tensor);
        DType t = tensor.dtype() == DType.BOOL ? DType.I32 : tensor.dtype();
        return new Literal(t, 0, s, true);
    }

    private Value binary(Op op, Value a, Value b) {
        check(opName(op), a, b);
        return binaryNode(op, a, null, b, DType.promote(a.dtype(), b.dtype()), Math.max(a.rank, b.rank));
    }

    private Value binary(Op op, Value tensor, Literal literal, boolean scalarLeft) {
        return scalarLeft
                ? binaryNode(op, null, literal, tensor, literal.dtype(), tensor.rank)
                : binaryNode(op, tensor, literal, null, literal.dtype(), tensor.rank);
    }

    /** One binary node; exactly one of {@code left}, {@code right} may be null, replaced by {@code literal}. */
    private Value binaryNode(Op op, Value left, Literal literal, Value right, DType promoted, int rank) {
        DType compute = promoted;
        if (op == Op.DIV && !compute.isFloat()) {
            compute = DType.F32;
        }
        boolean boolArithmetic = compute == DType.BOOL && (op == Op.ADD || op == Op.SUB || op == Op.MUL || op == Op.POW);
        if (boolArithmetic) {
            compute = DType.I32;
        }
        Node l = left == null ? literalNode(op, literal, compute) : castNode(left, compute);
        Node r = right == null ? literalNode(op, literal, compute) : castNode(right, compute);
        DType result = op.kind() == Op.Kind.COMPARE ? DType.BOOL : compute;
        Node n = node(op, List.of(l, r), result, new Attrs.None());
        return value(boolArithmetic ? castNode(n, DType.BOOL) : n, rank);
    }

    private Node literalNode(Op op, Literal literal, DType compute) {
        Attrs.Scalar s;
        if (literal.integral()) {
            long v = literal.asLong();
            if (compute == DType.I32 && (int) v != v) {
                throw new DvmException(opName(op) + ": scalar " + v + " does not fit the I32 operand; cast the tensor to I64 first");
            }
            s = compute.isFloat() ? scalarOf(opName(op), compute, (double) v) : new Attrs.Scalar(v, v);
        } else {
            s = scalarOf(opName(op), compute, literal.asDouble());
        }
        return constant(compute, s.asDouble(), s.asLong());
    }

    /** {@code v} as a constant of {@code dtype}: floats rounded to it, integers must be integral and in range, BOOL is v != 0. */
    static Attrs.Scalar scalarOf(String op, DType dtype, double v) {
        if (dtype.isFloat()) {
            double rounded = Halfs.round((float) v, dtype);
            return new Attrs.Scalar(rounded, (long) rounded);
        }
        if (dtype == DType.BOOL) {
            long b = v != 0 ? 1 : 0;
            return new Attrs.Scalar(b, b);
        }
        boolean fits = dtype == DType.I32 ? v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE : v >= -0x1p63 && v < 0x1p63;
        if (v != Math.rint(v) || !fits) {
            throw new DvmException(op + ": value " + v + " is not representable in " + dtype + "; give an integral value in range, or a float dtype");
        }
        return new Attrs.Scalar(v, (long) v);
    }

    private Value floatUnary(Op op, Value x) {
        check(opName(op), x);
        DType t = x.dtype().isFloat() ? x.dtype() : DType.F32;
        return value(node(op, List.of(castNode(x, t)), t, new Attrs.None()), x.rank);
    }

    private Value intUnary(Op op, Value x) {
        check(opName(op), x);
        DType t = x.dtype() == DType.BOOL ? DType.I32 : x.dtype();
        return value(node(op, List.of(castNode(x, t)), t, new Attrs.None()), x.rank);
    }

    private Value rounding(Op op, Value x) {
        check(opName(op), x);
        if (!x.dtype().isFloat()) {
            return x;
        }
        return value(node(op, List.of(x.node), x.dtype(), new Attrs.None()), x.rank);
    }

    private Node castNode(Value v, DType to) {
        return castNode(v.node, to);
    }

    private Node castNode(Node n, DType to) {
        return n.dtype() == to ? n : node(Op.CAST, List.of(n), to, new Attrs.None());
    }

    private Node constant(DType dtype, double asDouble, long asLong) {
        return node(Op.CONST, List.of(), dtype, new Attrs.Scalar(asDouble, asLong));
    }

    private Node node(Op op, List<Node> operands, DType dtype, Attrs attrs) {
        Node n = new Node(nodes.size(), op, operands, dtype, attrs);
        nodes.add(n);
        return n;
    }

    private Value value(Node n, int rank) {
        return new Value(this, n, rank);
    }

    private void checkOpen() {
        if (built) {
            throw new IllegalStateException("kernel '" + name + "' was already built; start a new KernelBuilder for another kernel");
        }
    }

    private void check(String op, Value... values) {
        checkOpen();
        if (values == null) {
            throw new DvmException(op + ": operands must not be null");
        }
        for (int i = 0; i < values.length; i++) {
            Value v = values[i];
            if (v == null) {
                throw new DvmException(op + ": operand " + i + " is null; pass a Value made by this builder");
            }
            if (v.owner != this) {
                throw new DvmException(op + ": operand " + i + " (" + v + ") was built by kernel '" + v.owner.name + "', not '" + name
                        + "'; build every value of a kernel with one KernelBuilder");
            }
        }
    }

    /** The builder method's name for {@code op}: ADD → add, GREATER_EQUAL → greaterEqual. */
    static String opName(Op op) {
        String[] words = op.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            sb.append(Character.toUpperCase(words[i].charAt(0))).append(words[i], 1, words[i].length());
        }
        return sb.toString();
    }

    private static String str(long[] a) {
        return a == null ? "null" : Arrays.toString(a);
    }
}
