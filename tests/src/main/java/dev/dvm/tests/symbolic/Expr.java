package dev.dvm.tests.symbolic;

import dev.dvm.symbolic.SymInt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The property's own expression tree, independent of {@link SymInt}'s canonical form: the oracle
 * that canonicalisation and the prover are checked against. {@link #eval} uses plain {@code Math}
 * floor/ceil/mod semantics, overflow-checked; {@link #toSymInt} builds the same expression through
 * {@link SymInt}'s operations.
 */
public sealed interface Expr {

    /** Binary operators; {@code FLOOR_DIV}, {@code CEIL_DIV} and {@code MOD} round like {@code Math.floorDiv}, {@code Math.ceilDiv} and {@code Math.floorMod}. */
    enum Op {
        ADD, SUB, MUL, FLOOR_DIV, CEIL_DIV, MOD, MIN, MAX;

        boolean divides() {
            return this == FLOOR_DIV || this == CEIL_DIV || this == MOD;
        }
    }

    /** Why an evaluation has no value. */
    enum Undefined {
        DIVISION_BY_ZERO, OVERFLOW
    }

    /** Thrown by {@link #eval}: the tree has no value at these bindings. */
    final class UndefinedException extends RuntimeException {
        final Undefined why;

        UndefinedException(Undefined why) {
            super(why.toString(), null, false, false);
            this.why = why;
        }
    }

    /** A constant. */
    record Const(long value) implements Expr {
        @Override
        public String toString() {
            return value < 0 ? "(" + value + ")" : Long.toString(value);
        }
    }

    /** A symbol. */
    record Sym(String name) implements Expr {
        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code left op right}. */
    record Bin(Op op, Expr left, Expr right) implements Expr {
        @Override
        public String toString() {
            return switch (op) {
                case ADD -> "(" + left + " + " + right + ")";
                case SUB -> "(" + left + " - " + right + ")";
                case MUL -> "(" + left + " * " + right + ")";
                case FLOOR_DIV -> "floor(" + left + " / " + right + ")";
                case CEIL_DIV -> "ceil(" + left + " / " + right + ")";
                case MOD -> "(" + left + " % " + right + ")";
                case MIN -> "min(" + left + ", " + right + ")";
                case MAX -> "max(" + left + ", " + right + ")";
            };
        }
    }

    /** {@code base ^ exponent}, {@code exponent >= 0}. */
    record Pow(Expr base, int exponent) implements Expr {
        @Override
        public String toString() {
            return base + "^" + exponent;
        }
    }

    /**
     * The value at {@code values} (every symbol bound).
     *
     * @throws UndefinedException on division by zero or when an intermediate value leaves the long range
     */
    default long eval(Map<String, Long> values) {
        try {
            return switch (this) {
                case Const c -> c.value;
                case Sym s -> {
                    Long v = values.get(s.name);
                    if (v == null) {
                        throw new IllegalStateException("generated bindings miss " + s.name + ": " + values);
                    }
                    yield v;
                }
                case Pow p -> {
                    long b = p.base.eval(values);
                    long r = 1;
                    for (int i = 0; i < p.exponent; i++) {
                        r = Math.multiplyExact(r, b);
                    }
                    yield r;
                }
                case Bin b -> {
                    long x = b.left.eval(values);
                    long y = b.right.eval(values);
                    if (b.op.divides() && y == 0) {
                        throw new UndefinedException(Undefined.DIVISION_BY_ZERO);
                    }
                    yield switch (b.op) {
                        case ADD -> Math.addExact(x, y);
                        case SUB -> Math.subtractExact(x, y);
                        case MUL -> Math.multiplyExact(x, y);
                        case FLOOR_DIV -> Math.floorDivExact(x, y);
                        case CEIL_DIV -> Math.ceilDivExact(x, y);
                        case MOD -> Math.floorMod(x, y);
                        case MIN -> Math.min(x, y);
                        case MAX -> Math.max(x, y);
                    };
                }
            };
        } catch (ArithmeticException overflow) {
            throw new UndefinedException(Undefined.OVERFLOW);
        }
    }

    /**
     * The same expression built through {@link SymInt}'s operations (the {@code long} overloads
     * where a divisor is a constant leaf, so both overloads are exercised).
     *
     * @throws ArithmeticException when a canonical coefficient overflows or a divisor is the constant 0
     */
    default SymInt toSymInt() {
        return switch (this) {
            case Const c -> SymInt.of(c.value);
            case Sym s -> SymInt.symbol(s.name);
            case Pow p -> p.base.toSymInt().pow(p.exponent);
            case Bin b -> {
                SymInt x = b.left.toSymInt();
                if (b.right instanceof Const c && b.op.divides()) {
                    yield switch (b.op) {
                        case FLOOR_DIV -> x.floorDiv(c.value);
                        case CEIL_DIV -> x.ceilDiv(c.value);
                        default -> x.mod(c.value);
                    };
                }
                SymInt y = b.right.toSymInt();
                yield switch (b.op) {
                    case ADD -> x.plus(y);
                    case SUB -> x.minus(y);
                    case MUL -> x.times(y);
                    case FLOOR_DIV -> x.floorDiv(y);
                    case CEIL_DIV -> x.ceilDiv(y);
                    case MOD -> x.mod(y);
                    case MIN -> SymInt.min(x, y);
                    case MAX -> SymInt.max(x, y);
                };
            }
        };
    }

    /** The number of nodes. */
    default int size() {
        return switch (this) {
            case Const c -> 1;
            case Sym s -> 1;
            case Pow p -> 1 + p.base.size();
            case Bin b -> 1 + b.left.size() + b.right.size();
        };
    }

    /** The symbols mentioned. */
    default TreeSet<String> symbols() {
        TreeSet<String> out = new TreeSet<>();
        collect(this, out);
        return out;
    }

    private static void collect(Expr e, TreeSet<String> out) {
        switch (e) {
            case Const c -> { }
            case Sym s -> out.add(s.name);
            case Pow p -> collect(p.base, out);
            case Bin b -> {
                collect(b.left, out);
                collect(b.right, out);
            }
        }
    }

    /**
     * Simpler trees, most promising first: a constant leaf, each child in place of its parent, then
     * the same node with one child simplified, smaller constants and exponents.
     */
    default Stream<Expr> shrinks() {
        List<Expr> out = new ArrayList<>();
        switch (this) {
            case Const c -> {
                // Toward 0 in magnitude, or a negative constant's absolute value: never back up, so shrinking ends.
                for (long v : new long[] {0, 1, c.value / 2, c.value - Long.signum(c.value)}) {
                    if (Math.abs(v) < Math.abs(c.value)) {
                        out.add(new Const(v));
                    }
                }
                if (c.value < 0 && c.value != Long.MIN_VALUE) {
                    out.add(new Const(-c.value));
                }
            }
            case Sym s -> out.add(new Const(1));
            case Pow p -> {
                out.add(p.base);
                if (p.exponent > 0) {
                    out.add(new Pow(p.base, p.exponent - 1));
                }
                p.base.shrinks().forEach(x -> out.add(new Pow(x, p.exponent)));
            }
            case Bin b -> {
                out.add(new Const(1));
                out.add(b.left);
                out.add(b.right);
                b.left.shrinks().forEach(x -> out.add(new Bin(b.op, x, b.right)));
                b.right.shrinks().forEach(x -> out.add(new Bin(b.op, b.left, x)));
            }
        }
        return out.stream().distinct().filter(x -> !x.equals(this));
    }
}
