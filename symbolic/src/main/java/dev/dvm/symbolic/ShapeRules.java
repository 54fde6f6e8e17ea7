package dev.dvm.symbolic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Shape rules of the meta-ops over {@link SymShape}s, deciding every fact they need with a {@link
 * Prover}: a fact proved TRUE costs nothing, a fact proved FALSE is a {@link ShapeException} naming
 * the op, the shapes, the axis and a fix, and a fact the prover leaves UNKNOWN becomes a {@link
 * Guard} on the result, to be checked once the concrete shapes are known. A rule never guesses.
 *
 * <pre>{@code
 * ShapeRules rules = new ShapeRules(new Prover(Facts.builder().range("s", 2, 4096).build()));
 * Guarded<SymShape> y = rules.broadcast(SymShape.parse("[s, 4]"), SymShape.parse("[t, 4]"));
 * // y.value() is [s, 4] under the guard s == t || t == 1 (s != 1 is proved by the range)
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class ShapeRules {
    private final Prover prover;

    /** Rules that decide their facts with {@code prover}. */
    public ShapeRules(Prover prover) {
        this.prover = Objects.requireNonNull(prover, "shape rules: prover is null");
    }

    // ---------------------------------------------------------------- elementwise

    /**
     * The shape of an elementwise op on {@code a} and {@code b} under NumPy broadcasting: shapes
     * align at the right, missing leading dims are 1, and each pair of dims must be equal or have a
     * 1 (which stretches to the other).
     */
    public Guarded<SymShape> broadcast(SymShape a, SymShape b) {
        Objects.requireNonNull(a, "broadcast: a is null");
        Objects.requireNonNull(b, "broadcast: b is null");
        if (a.equals(b)) {
            return new Guarded<>(a, List.of());
        }
        SymInt[] out = new SymInt[Math.max(a.rank(), b.rank())];
        List<Guard> guards = broadcastDims("broadcast", "", a, a.rank(), b, b.rank(), out, null);
        return guarded(SymShape.owning(out), guards);
    }

    /**
     * Broadcasts the first {@code na} dims of {@code a} with the first {@code nb} dims of {@code b}
     * into {@code out[0, max(na, nb))}, returning {@code guards} with the broadcast's guards added
     * (allocated only when one is needed, so that the common guard-free path does not allocate).
     * {@code what} qualifies the axis in messages: empty, or {@code "batch "} for matmul.
     */
    private List<Guard> broadcastDims(String op, String what, SymShape a, int na, SymShape b, int nb, SymInt[] out, List<Guard> guards) {
        int n = Math.max(na, nb);
        for (int i = 0; i < n; i++) {
            int ia = i - (n - na), ib = i - (n - nb);
            SymInt x = ia >= 0 ? a.dim(ia) : SymInt.ONE;
            SymInt y = ib >= 0 ? b.dim(ib) : SymInt.ONE;
            // Structural equality is the prover's own first step; checking it here keeps identical
            // and 1-padded dims off the prover's slower path.
            if (x.equals(y) || y.equals(SymInt.ONE)) {
                out[i] = x;
                continue;
            }
            if (x.equals(SymInt.ONE)) {
                out[i] = y;
                continue;
            }
            Truth same = prover.equal(x, y), xIsOne = prover.equal(x, SymInt.ONE), yIsOne = prover.equal(y, SymInt.ONE);
            if (same.isTrue() || yIsOne.isTrue()) {
                out[i] = x;
                continue;
            }
            if (xIsOne.isTrue()) {
                out[i] = y;
                continue;
            }
            if (same.isFalse() && xIsOne.isFalse() && yIsOne.isFalse()) {
                throw new ShapeException(op + ": " + a + " and " + b + " differ at " + what + "axis " + i + " (" + x + " vs " + y
                        + ") and neither is 1; reshape one operand or insert a broadcast");
            }
            // Only the alternatives the prover did not refute; at least one remains, or we threw above.
            List<Condition> anyOf = new ArrayList<>(3);
            if (!same.isFalse()) {
                anyOf.add(new Condition(x, Relation.EQ, y));
            }
            if (!xIsOne.isFalse()) {
                anyOf.add(new Condition(x, Relation.EQ, SymInt.ONE));
            }
            if (!yIsOne.isFalse()) {
                anyOf.add(new Condition(y, Relation.EQ, SymInt.ONE));
            }
            out[i] = xIsOne.isFalse() ? x : yIsOne.isFalse() ? y : eitherBroadcast(x, y);
            guards = add(guards, new Guard(anyOf, op + " of " + a + " and " + b + ", " + what + "axis " + i));
        }
        return guards;
    }

    /**
     * The broadcast of {@code x} and {@code y} when either may be the 1: {@code max(x, y)}, except
     * that NumPy broadcasts 1 against 0 to 0, so unless both are provably positive the result is
     * {@code max(x, y) * min(x, y, 1)} (which is {@code max(x, y)} for positive sizes and 0 with a 0).
     */
    private SymInt eitherBroadcast(SymInt x, SymInt y) {
        SymInt max = SymInt.max(x, y);
        boolean positive = prover.lessOrEqual(SymInt.ONE, x).and(prover.lessOrEqual(SymInt.ONE, y)).isTrue();
        return positive ? max : max.times(SymInt.min(List.of(x, y, SymInt.ONE)));
    }

    /** Whether {@code a} and {@code b} have the same rank and equal dims. */
    public Truth sameShape(SymShape a, SymShape b) {
        Objects.requireNonNull(a, "sameShape: a is null");
        Objects.requireNonNull(b, "sameShape: b is null");
        if (a.equals(b)) {
            return Truth.TRUE;
        }
        if (a.rank() != b.rank()) {
            return Truth.FALSE;
        }
        Truth all = Truth.TRUE;
        for (int i = 0; i < a.rank() && !all.isFalse(); i++) {
            all = all.and(prover.equal(a.dim(i), b.dim(i)));
        }
        return all;
    }

    /**
     * Whether {@code from} broadcasts to exactly {@code to} (NumPy's {@code broadcast_to}): its rank
     * is at most {@code to}'s and each of its dims, aligned at the right, is 1 or equal to {@code to}'s.
     */
    public Truth broadcastsTo(SymShape from, SymShape to) {
        Objects.requireNonNull(from, "broadcastsTo: from is null");
        Objects.requireNonNull(to, "broadcastsTo: to is null");
        if (from.rank() > to.rank()) {
            return Truth.FALSE;
        }
        int offset = to.rank() - from.rank();
        Truth all = Truth.TRUE;
        for (int i = 0; i < from.rank() && !all.isFalse(); i++) {
            SymInt f = from.dim(i), t = to.dim(i + offset);
            // As in broadcastDims: the structural cases need no prover call.
            all = all.and(f.equals(t) || f.equals(SymInt.ONE) ? Truth.TRUE : prover.equal(f, SymInt.ONE).or(prover.equal(f, t)));
        }
        return all;
    }

    // ---------------------------------------------------------------- reductions and layout

    /**
     * The shape of a reduction over {@code axes} (negative axes count from the end; an empty array
     * reduces nothing, as in NumPy): reduced dims are dropped, or kept as 1 when {@code keepDims}.
     * Never guarded.
     */
    public Guarded<SymShape> reduce(SymShape a, int[] axes, boolean keepDims) {
        Objects.requireNonNull(a, "reduce: a is null");
        Objects.requireNonNull(axes, "reduce: axes is null");
        boolean[] reduced = new boolean[a.rank()];
        for (int ax : axes) {
            int k = axis("reduce", a, ax);
            if (reduced[k]) {
                throw new ShapeException("reduce: axis " + k + " of " + a + " appears twice in axes " + Arrays.toString(axes)
                        + "; list each axis once");
            }
            reduced[k] = true;
        }
        List<SymInt> out = new ArrayList<>(a.rank());
        for (int i = 0; i < a.rank(); i++) {
            if (!reduced[i]) {
                out.add(a.dim(i));
            } else if (keepDims) {
                out.add(SymInt.ONE);
            }
        }
        return new Guarded<>(SymShape.of(out), List.of());
    }

    /**
     * {@code a} reshaped to {@code target}, whose element count must equal {@code a}'s. At most one
     * target dim may be the constant -1; it is inferred as {@code numel(a) floorDiv} the product of
     * the others, which must be non-zero and divide {@code numel(a)}. Other constant target dims must
     * be positive.
     */
    public Guarded<SymShape> reshape(SymShape a, SymShape target) {
        Objects.requireNonNull(a, "reshape: a is null");
        Objects.requireNonNull(target, "reshape: target is null");
        int inferred = -1;
        SymInt known = SymInt.ONE;
        for (int i = 0; i < target.rank(); i++) {
            SymInt d = target.dim(i);
            if (d.isConstant() && d.constantValue() == -1) {
                if (inferred >= 0) {
                    throw new ShapeException("reshape: " + a + " to " + target + " has -1 at axes " + inferred + " and " + i
                            + "; only one dim can be inferred, give the others explicitly");
                }
                inferred = i;
            } else if (d.isConstant() && d.constantValue() <= 0) {
                throw new ShapeException("reshape: " + a + " to " + target + " has the dim " + d + " at axis " + i
                        + "; target dims must be positive, or -1 for the one inferred dim");
            } else {
                known = known.times(d);
            }
        }
        SymInt numel = a.numel();
        String reason = "reshape of " + a + " to " + target;
        if (inferred < 0) {
            SymInt count = known;
            List<Guard> guards = require(null, new Condition(numel, Relation.EQ, count), reason + ", element count",
                    () -> "reshape: " + a + " (" + numel + " elements) to " + target + " (" + count + " elements) changes the "
                            + "element count; choose a target with as many elements, or -1 for one dim");
            return guarded(target, guards);
        }
        SymInt rows = known;
        int axis = inferred;
        // The prover's divisibility answer covers only a non-zero divisor, and NumPy rejects -1 beside a 0 dim
        // as ambiguous; this guard comes first, so checking the next one never divides by zero.
        List<Guard> guards = require(null, new Condition(known, Relation.NE, SymInt.ZERO), reason + ", inferred axis " + axis,
                () -> "reshape: " + a + " to " + target + ": the dims beside the -1 at axis " + axis + " multiply to 0, so the -1 is "
                        + "ambiguous; give every dim explicitly");
        // numel % known == 0 rather than numel == known * inferred: the divisibility question is the one the prover answers best.
        guards = require(guards, prover.divisible(numel, known), new Condition(numel.mod(known), Relation.EQ, SymInt.ZERO),
                reason + ", inferred axis " + axis,
                () -> "reshape: " + a + " (" + numel + " elements) to " + target + ": the inferred dim at axis " + axis + " needs "
                        + numel + " to be a multiple of " + rows + ", which it never is; choose target dims whose product divides the element count");
        SymInt[] out = target.dims().toArray(new SymInt[0]);
        // Under the guard known != 0, an exact polynomial quotient is the floor: [s, t] to [-1, t] infers s.
        SymInt quotient = numel.exactQuotient(known);
        out[inferred] = quotient != null ? quotient : numel.floorDiv(known);
        return guarded(SymShape.owning(out), guards);
    }

    /**
     * {@code a} with its axes reordered: output axis {@code i} is input axis {@code perm[i]}
     * (negative entries count from the end). {@code perm} must name every axis once. Never guarded.
     */
    public Guarded<SymShape> permute(SymShape a, int[] perm) {
        Objects.requireNonNull(a, "permute: a is null");
        Objects.requireNonNull(perm, "permute: perm is null");
        if (perm.length != a.rank()) {
            throw new ShapeException("permute: perm " + Arrays.toString(perm) + " has " + perm.length + " entries but " + a
                    + " has rank " + a.rank() + "; give one entry per axis");
        }
        boolean[] seen = new boolean[a.rank()];
        SymInt[] out = new SymInt[a.rank()];
        for (int i = 0; i < perm.length; i++) {
            int k = axis("permute", a, perm[i]);
            if (seen[k]) {
                throw new ShapeException("permute: perm " + Arrays.toString(perm) + " for " + a + " is not a permutation: axis " + k
                        + " appears twice; list each axis of 0.." + (a.rank() - 1) + " once");
            }
            seen[k] = true;
            out[i] = a.dim(k);
        }
        return new Guarded<>(SymShape.owning(out), List.of());
    }

    /**
     * The shape of {@code a[start:end:step]} along {@code axis}: the dim becomes {@code ceil((end -
     * start) / step)}. Requires {@code 0 <= start <= end <= dim} (no clamping: a slice that would
     * be clamped is rejected or guarded) and {@code step > 0}.
     */
    public Guarded<SymShape> slice(SymShape a, int axis, SymInt start, SymInt end, long step) {
        Objects.requireNonNull(a, "slice: a is null");
        Objects.requireNonNull(start, "slice: start is null");
        Objects.requireNonNull(end, "slice: end is null");
        int k = axis("slice", a, axis);
        if (step <= 0) {
            throw new ShapeException("slice: step " + step + " on axis " + k + " of " + a + " is not positive; use a step >= 1");
        }
        SymInt dim = a.dim(k);
        String reason = "slice of " + a + ", axis " + k;
        List<Guard> guards = require(null, new Condition(SymInt.ZERO, Relation.LE, start), reason,
                () -> "slice: start " + start + " on axis " + k + " of " + a + " is negative; use a start in [0, " + dim + "]");
        guards = require(guards, new Condition(start, Relation.LE, end), reason,
                () -> "slice: start " + start + " > end " + end + " on axis " + k + " of " + a + "; give start <= end");
        guards = require(guards, new Condition(end, Relation.LE, dim), reason,
                () -> "slice: end " + end + " > dim " + dim + " on axis " + k + " of " + a + "; clamp the end to the dim");
        SymInt[] out = a.dims().toArray(new SymInt[0]);
        out[k] = end.minus(start).ceilDiv(step);
        return guarded(SymShape.owning(out), guards);
    }

    /**
     * The shape of {@code inputs} joined along {@code axis}: all inputs have one rank, their other
     * dims are equal, and the axis dim is the sum of theirs.
     */
    public Guarded<SymShape> concat(List<SymShape> inputs, int axis) {
        Objects.requireNonNull(inputs, "concat: inputs is null");
        if (inputs.isEmpty()) {
            throw new ShapeException("concat: no inputs; give at least one shape");
        }
        for (int n = 0; n < inputs.size(); n++) {
            Objects.requireNonNull(inputs.get(n), "concat: input " + n + " is null");
        }
        SymShape first = inputs.get(0);
        int k = axis("concat", first, axis);
        SymInt sum = SymInt.ZERO;
        List<Guard> guards = null;
        for (int n = 0; n < inputs.size(); n++) {
            SymShape s = inputs.get(n);
            int input = n;
            if (s.rank() != first.rank()) {
                throw new ShapeException("concat of " + inputs + ": input " + n + " " + s + " has rank " + s.rank() + " but input 0 "
                        + first + " has rank " + first.rank() + "; reshape the inputs to one rank");
            }
            for (int j = 0; j < s.rank(); j++) {
                if (j != k && n > 0) {
                    int at = j;
                    guards = require(guards, new Condition(first.dim(j), Relation.EQ, s.dim(j)),
                            "concat of " + inputs + " on axis " + k + ", input " + n + " axis " + j,
                            () -> "concat of " + inputs + ": input " + input + " " + s + " differs from input 0 " + first + " at axis " + at
                                    + " (" + s.dim(at) + " vs " + first.dim(at) + "), which is not the concat axis " + k
                                    + "; slice or pad the inputs to agree");
                }
            }
            sum = sum.plus(s.dim(k));
        }
        SymInt[] out = first.dims().toArray(new SymInt[0]);
        out[k] = sum;
        return guarded(SymShape.owning(out), guards);
    }

    /**
     * The shapes of {@code a} cut along {@code axis} into parts of the given sizes, which must be
     * non-negative and sum to the axis dim.
     */
    public Guarded<List<SymShape>> split(SymShape a, int axis, List<SymInt> sizes) {
        Objects.requireNonNull(a, "split: a is null");
        Objects.requireNonNull(sizes, "split: sizes is null");
        int k = axis("split", a, axis);
        if (sizes.isEmpty()) {
            throw new ShapeException("split: no sizes for axis " + k + " of " + a + "; give at least one");
        }
        String reason = "split of " + a + ", axis " + k;
        SymInt sum = SymInt.ZERO;
        List<Guard> guards = null;
        List<SymShape> parts = new ArrayList<>(sizes.size());
        SymInt[] dims = a.dims().toArray(new SymInt[0]);
        for (int i = 0; i < sizes.size(); i++) {
            SymInt size = Objects.requireNonNull(sizes.get(i), "split: size " + i + " is null");
            int part = i;
            guards = require(guards, new Condition(SymInt.ZERO, Relation.LE, size), reason + ", part " + i,
                    () -> "split: size " + size + " of part " + part + " for axis " + k + " of " + a + " is negative; sizes must be >= 0");
            sum = sum.plus(size);
            dims[k] = size;
            parts.add(SymShape.of(dims));
        }
        SymInt total = sum;
        guards = require(guards, new Condition(total, Relation.EQ, a.dim(k)), reason,
                () -> "split: sizes " + sizes + " sum to " + total + " but axis " + k + " of " + a + " is " + a.dim(k)
                        + "; give sizes that sum to the dim");
        return guarded(List.copyOf(parts), guards);
    }

    /** The shapes of {@code a} cut along {@code axis} into {@code parts} equal parts; the dim must divide evenly. */
    public Guarded<List<SymShape>> splitEqual(SymShape a, int axis, int parts) {
        Objects.requireNonNull(a, "splitEqual: a is null");
        int k = axis("splitEqual", a, axis);
        if (parts <= 0) {
            throw new ShapeException("splitEqual: " + parts + " parts for axis " + k + " of " + a + "; split into at least 1 part");
        }
        SymInt dim = a.dim(k);
        List<Guard> guards = require(null, prover.divisible(dim, parts), new Condition(dim.mod(parts), Relation.EQ, SymInt.ZERO),
                "splitEqual of " + a + " into " + parts + " parts, axis " + k,
                () -> "splitEqual: axis " + k + " of " + a + " is " + dim + ", which never divides into " + parts
                        + " equal parts; pad the axis or use split with explicit sizes");
        SymInt[] out = a.dims().toArray(new SymInt[0]);
        out[k] = dim.floorDiv(parts);
        return guarded(Collections.nCopies(parts, SymShape.owning(out)), guards);
    }

    // ---------------------------------------------------------------- matmul

    /**
     * The shape of the batched matrix product of {@code a} ({@code [..., M, K]}, or {@code [..., K,
     * M]} when {@code transA}) and {@code b} ({@code [..., K, N]}, or {@code [..., N, K]} when
     * {@code transB}): {@code [batch..., M, N]}, where the batch dims broadcast as in {@link
     * #broadcast} and the contracted dims {@code K} must be equal. Both ranks must be at least 2.
     */
    public Guarded<SymShape> matmul(SymShape a, SymShape b, boolean transA, boolean transB) {
        Objects.requireNonNull(a, "matmul: a is null");
        Objects.requireNonNull(b, "matmul: b is null");
        if (a.rank() < 2) {
            throw new ShapeException("matmul: operand a " + a + " has rank " + a.rank() + " but matmul needs rank >= 2; reshape a vector to [1, k]");
        }
        if (b.rank() < 2) {
            throw new ShapeException("matmul: operand b " + b + " has rank " + b.rank()
                    + " but matmul needs rank >= 2; reshape a vector to [1, k] (with transB) or [k, 1]");
        }
        int ra = a.rank(), rb = b.rank();
        int kaAxis = transA ? ra - 2 : ra - 1, kbAxis = transB ? rb - 1 : rb - 2;
        SymInt m = a.dim(transA ? ra - 1 : ra - 2), n = b.dim(transB ? rb - 2 : rb - 1);
        SymInt ka = a.dim(kaAxis), kb = b.dim(kbAxis);
        int batch = Math.max(ra, rb) - 2;
        SymInt[] out = new SymInt[batch + 2];
        List<Guard> guards = broadcastDims("matmul", "batch ", a, ra - 2, b, rb - 2, out, null);
        guards = require(guards, new Condition(ka, Relation.EQ, kb),
                "matmul of " + a + " and " + b + ", contracted axis " + kaAxis + " of a and axis " + kbAxis + " of b",
                () -> "matmul: " + a + " and " + b + " (transA = " + transA + ", transB = " + transB + ") contract axis " + kaAxis
                        + " of a (" + ka + ") with axis " + kbAxis + " of b (" + kb + "), which differ; transpose or reshape an operand so the contracted dims match");
        out[batch] = m;
        out[batch + 1] = n;
        return guarded(SymShape.owning(out), guards);
    }

    // ---------------------------------------------------------------- helpers

    /** {@code axis} in {@code [-rank, rank)} normalised to {@code [0, rank)}. */
    private static int axis(String op, SymShape a, int axis) {
        int r = a.rank();
        if (axis < -r || axis >= r) {
            throw new ShapeException(op + ": axis " + axis + " is out of range for " + a + " (rank " + r + "); "
                    + (r == 0 ? "a rank-0 shape has no axis" : "use an axis in [" + -r + ", " + (r - 1) + "]"));
        }
        return axis < 0 ? axis + r : axis;
    }

    /** The prover's answer for {@code c}. */
    private Truth decide(Condition c) {
        return switch (c.relation()) {
            case EQ -> prover.equal(c.lhs(), c.rhs());
            case NE -> prover.notEqual(c.lhs(), c.rhs());
            case LT -> prover.less(c.lhs(), c.rhs());
            case LE -> prover.lessOrEqual(c.lhs(), c.rhs());
        };
    }

    /** {@link #require(List, Truth, Condition, String, Supplier)} with the prover's answer for {@code c}. */
    private List<Guard> require(List<Guard> guards, Condition c, String reason, Supplier<String> failure) {
        return require(guards, decide(c), c, reason, failure);
    }

    /**
     * Applies the rule contract to one needed fact {@code c} the prover answered {@code truth}:
     * TRUE adds nothing, FALSE throws {@code failure}, UNKNOWN adds {@code c} as a guard.
     */
    private static List<Guard> require(List<Guard> guards, Truth truth, Condition c, String reason, Supplier<String> failure) {
        if (truth.isTrue()) {
            return guards;
        }
        if (truth.isFalse()) {
            throw new ShapeException(failure.get());
        }
        return add(guards, new Guard(List.of(c), reason));
    }

    private static List<Guard> add(List<Guard> guards, Guard g) {
        List<Guard> out = guards == null ? new ArrayList<>() : guards;
        out.add(g);
        return out;
    }

    private static <T> Guarded<T> guarded(T value, List<Guard> guards) {
        return new Guarded<>(value, guards == null ? List.of() : guards);
    }
}
