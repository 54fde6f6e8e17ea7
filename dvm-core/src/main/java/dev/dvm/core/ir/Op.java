package dev.dvm.core.ir;

/**
 * The meta-ops a kernel graph is made of. Every node of a built graph is one of these; the
 * builder has already made operand dtypes agree (explicit {@link #CAST} nodes), so the compiler
 * never promotes.
 */
public enum Op {
    /** A kernel input: attrs {@link Attrs.Input}; dtype as declared. */
    INPUT(Kind.MEMORY),
    /** A rank-0 scalar constant: attrs {@link Attrs.Scalar}; used as an operand of elementwise ops. */
    CONST(Kind.MEMORY),
    /** A kernel output: one input, attrs {@link Attrs.Output}. */
    STORE(Kind.MEMORY),

    SQRT(Kind.UNARY), RSQRT(Kind.UNARY), ABS(Kind.UNARY), NEG(Kind.UNARY), LOG(Kind.UNARY), EXP(Kind.UNARY),
    RECIPROCAL(Kind.UNARY), ISFINITE(Kind.UNARY), LOGICAL_NOT(Kind.UNARY), ROUND(Kind.UNARY), FLOOR(Kind.UNARY),
    CEIL(Kind.UNARY), TRUNC(Kind.UNARY), TANH(Kind.UNARY), SIGMOID(Kind.UNARY), ERF(Kind.UNARY), SIN(Kind.UNARY),
    COS(Kind.UNARY),

    EQUAL(Kind.COMPARE), NOT_EQUAL(Kind.COMPARE), GREATER(Kind.COMPARE), GREATER_EQUAL(Kind.COMPARE),
    LESS(Kind.COMPARE), LESS_EQUAL(Kind.COMPARE),
    ADD(Kind.BINARY), SUB(Kind.BINARY), MUL(Kind.BINARY), DIV(Kind.BINARY), POW(Kind.BINARY),
    MAXIMUM(Kind.BINARY), MINIMUM(Kind.BINARY),
    LOGICAL_AND(Kind.COMPARE), LOGICAL_OR(Kind.COMPARE),

    /** inputs (cond BOOL, a, b), NumPy broadcasting over all three. */
    SELECT(Kind.OTHER),
    /** One input; the node's dtype is the target. */
    CAST(Kind.OTHER),
    /**
     * One input broadcast to attrs {@link Attrs.Shape} (-1 keeps the input's dim, right-aligned); or, with
     * attrs {@link Attrs.None} and two inputs {@code (x, like)}, x broadcast to like's shape. {@code like}
     * only gives the shape: its elements are never read (fill, broadcastLike, isFinite of integers).
     */
    BROADCAST(Kind.LAYOUT),
    /** attrs {@link Attrs.Shape}: target dims, one may be -1 (inferred); 0 keeps the input's dim at that index. */
    RESHAPE(Kind.LAYOUT),
    /** attrs {@link Attrs.Axes}: the permutation. */
    PERMUTE(Kind.LAYOUT),
    /** attrs {@link Attrs.Slice}. */
    SLICE(Kind.LAYOUT),
    /** n inputs, attrs {@link Attrs.Axes} holding the one axis. */
    CONCAT(Kind.LAYOUT),
    /** One part of a split: attrs {@link Attrs.Split}. */
    SPLIT(Kind.LAYOUT),
    /** Integer indices to a new innermost axis of attrs {@link Attrs.OneHot}. */
    ONE_HOT(Kind.OTHER),
    /** An explicit copy. */
    COPY(Kind.OTHER),
    /** Whether any element of its BOOL input (the builder casts to BOOL first) is true: a max over every axis. */
    ELEM_ANY(Kind.REDUCE),
    /** attrs {@link Attrs.Reduce}. */
    REDUCE_SUM(Kind.REDUCE), REDUCE_MAX(Kind.REDUCE), REDUCE_MIN(Kind.REDUCE),
    /**
     * A matrix product on the cube unit: inputs (a, b), attrs {@link Attrs.MatMul}; a is [..., M, K]
     * ([..., K, M] transposed), b is [..., K, N] ([..., N, K] transposed), batch dims broadcast; F32.
     */
    MATMUL(Kind.CUBE);

    /** Broad classes of ops, for passes that treat a class alike. */
    public enum Kind { MEMORY, UNARY, BINARY, COMPARE, OTHER, LAYOUT, REDUCE, CUBE }

    private final Kind kind;

    Op(Kind kind) {
        this.kind = kind;
    }

    /** The class this op belongs to. */
    public Kind kind() {
        return kind;
    }

    /** Whether the op maps each output element to the same-index elements of its (broadcast) inputs. */
    public boolean isElementwise() {
        return kind == Kind.UNARY || kind == Kind.BINARY || kind == Kind.COMPARE || this == SELECT || this == CAST || this == COPY;
    }
}
