package dev.dvm.tests.symbolic;

import dev.dvm.tests.property.Gen;
import dev.dvm.tests.symbolic.Expr.Bin;
import dev.dvm.tests.symbolic.Expr.Const;
import dev.dvm.tests.symbolic.Expr.Op;
import dev.dvm.tests.symbolic.Expr.Pow;
import dev.dvm.tests.symbolic.Expr.Sym;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates {@link SymbolicCase}s: one to four symbols with random satisfiable facts (ranges, some
 * negative or one-sided, divisibility with remainders, equal symbols), random expression trees of
 * every operator (constant divisors of both signs and symbolic ones), and a second expression that is
 * often related to the first (an equivalent rewrite, a shift, a multiple, a rounding of it, a min or
 * max with it) so that many prover questions have a decidable answer.
 */
public final class SymbolicCaseGen implements Gen<SymbolicCase> {
    /** Names long enough that a message naming one is not a coincidence. */
    static final List<String> NAMES = List.of("bs", "seq", "hd", "kv", "n7");
    private static final long[] DIVISORS = {1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 128, -1, -2, -3, -4, -8};

    private final int bindings;

    /** Cases with {@code bindings} bindings each. */
    public SymbolicCaseGen(int bindings) {
        this.bindings = bindings;
    }

    @Override
    public SymbolicCase generate(SplittableRandom r) {
        List<String> pool = new ArrayList<>(NAMES);
        List<String> symbols = new ArrayList<>();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            symbols.add(pool.remove(r.nextInt(pool.size())));
        }
        symbols.sort(null);
        List<FactSpec> facts = facts(r, symbols);
        Expr a = expr(r, symbols, 1 + r.nextInt(4));
        Expr b = related(r, symbols, a);
        Expr c = expr(r, symbols, r.nextInt(3));
        long d = DIVISORS[r.nextInt(DIVISORS.length)];
        return new SymbolicCase(symbols, facts, a, b, c, d, r.nextLong(), bindings);
    }

    /** Random facts; a fact that would make them unsatisfiable is left out. */
    static List<FactSpec> facts(SplittableRandom r, List<String> symbols) {
        List<FactSpec> facts = new ArrayList<>();
        for (String s : symbols) {
            if (r.nextInt(10) < 4) {
                long lo = switch (r.nextInt(6)) {
                    case 0 -> 0;
                    case 1 -> 1;
                    case 2 -> -r.nextInt(1, 100);
                    case 3 -> Long.MIN_VALUE;
                    default -> r.nextInt(-8, 17);
                };
                long hi = switch (r.nextInt(5)) {
                    case 0 -> Long.MAX_VALUE;
                    case 1 -> (lo == Long.MIN_VALUE ? 0 : lo) + 1000;
                    default -> (lo == Long.MIN_VALUE ? -5 : lo) + r.nextInt(65);
                };
                addIfSatisfiable(facts, symbols, new FactSpec.Range(s, lo, hi));
            }
            for (int k = r.nextInt(10) < 3 ? 1 + r.nextInt(r.nextInt(4) == 0 ? 2 : 1) : 0; k > 0; k--) {
                long divisor = new long[] {2, 3, 4, 8, 16, 5, 6, 12}[r.nextInt(8)];
                addIfSatisfiable(facts, symbols, new FactSpec.Divisible(s, divisor, r.nextLong(-divisor, 2 * divisor)));
            }
            if (symbols.size() > 1 && r.nextInt(10) < 2) {
                String other = symbols.get(r.nextInt(symbols.size()));
                if (!other.equals(s)) {
                    addIfSatisfiable(facts, symbols, new FactSpec.Equal(s, other));
                }
            }
        }
        return facts;
    }

    private static void addIfSatisfiable(List<FactSpec> facts, List<String> symbols, FactSpec f) {
        facts.add(f);
        if (!new FactModel(symbols, facts).satisfiable()) {
            facts.removeLast();
        }
    }

    /** A random tree of at most {@code depth} levels of operators. */
    static Expr expr(SplittableRandom r, List<String> symbols, int depth) {
        if (depth <= 0 || r.nextInt(10) < 3) {
            return r.nextInt(10) < 6 ? new Sym(symbols.get(r.nextInt(symbols.size()))) : constant(r);
        }
        int pick = r.nextInt(19);
        if (pick == 16) {
            return new Pow(expr(r, symbols, Math.min(1, depth - 1)), r.nextInt(4));
        }
        if (pick > 16) {
            // A chain of constant divisions (floor(x % 15 / 4) % 6 ...): the canonical form merges and
            // cancels these, and the prover's relaxation rewrites them, so they get extra weight.
            Expr e = expr(r, symbols, depth - 1);
            for (int k = 1 + r.nextInt(2); k >= 0; k--) {
                Op op = new Op[] {Op.MOD, Op.MOD, Op.FLOOR_DIV, Op.CEIL_DIV}[r.nextInt(4)];
                e = new Bin(op, e, new Const(DIVISORS[r.nextInt(DIVISORS.length)]));
            }
            return e;
        }
        Op op = switch (pick) {
            case 0, 1, 2 -> Op.ADD;
            case 3, 4 -> Op.SUB;
            case 5, 6, 7 -> Op.MUL;
            case 8, 9 -> Op.FLOOR_DIV;
            case 10 -> Op.CEIL_DIV;
            case 11, 12 -> Op.MOD;
            case 13, 14 -> Op.MIN;
            default -> Op.MAX;
        };
        Expr left = expr(r, symbols, depth - 1);
        Expr right = op.divides() ? divisor(r, symbols, depth - 1) : expr(r, symbols, depth - 1);
        return new Bin(op, left, right);
    }

    /** Mostly non-zero constants of both signs; sometimes a symbolic divisor (which may be 0 at some binding). */
    private static Expr divisor(SplittableRandom r, List<String> symbols, int depth) {
        return switch (r.nextInt(10)) {
            case 0, 1 -> new Sym(symbols.get(r.nextInt(symbols.size())));
            case 2 -> new Bin(Op.ADD, expr(r, symbols, depth), new Const(1 + r.nextInt(3)));
            case 3 -> expr(r, symbols, depth);
            default -> new Const(DIVISORS[r.nextInt(DIVISORS.length)]);
        };
    }

    static Const constant(SplittableRandom r) {
        return new Const(switch (r.nextInt(20)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> new long[] {64, 128, 1000, 4096}[r.nextInt(4)];
            case 4 -> new long[] {1L << 20, 1L << 31, -(1L << 20), 1L << 40}[r.nextInt(4)];
            default -> r.nextInt(-4, 17);
        });
    }

    /** A second expression, usually built from {@code a}, so that comparing it with {@code a} is often decidable. */
    static Expr related(SplittableRandom r, List<String> symbols, Expr a) {
        return switch (r.nextInt(20)) {
            case 0, 1, 2, 3 -> expr(r, symbols, 1 + r.nextInt(3));
            case 4, 5, 6 -> equivalent(r, a);
            case 7, 8, 9 -> new Bin(r.nextBoolean() ? Op.ADD : Op.SUB, equivalent(r, a), new Const(r.nextInt(0, 5)));
            case 10, 11 -> new Bin(Op.MUL, a, new Const(new long[] {2, 3, 8, -1, 0}[r.nextInt(5)]));
            case 12 -> constant(r);
            case 13, 14 -> {
                long c = new long[] {2, 4, 8, 3, -4}[r.nextInt(5)];
                yield new Bin(Op.MUL, new Bin(r.nextBoolean() ? Op.FLOOR_DIV : Op.CEIL_DIV, a, new Const(c)), new Const(c));
            }
            case 15 -> new Bin(Op.MOD, a, new Const(new long[] {2, 8, 5, -3}[r.nextInt(4)]));
            case 16, 17 -> new Bin(r.nextBoolean() ? Op.MIN : Op.MAX, equivalent(r, a), expr(r, symbols, 1));
            default -> new Bin(Op.ADD, equivalent(r, a), new Sym(symbols.get(r.nextInt(symbols.size()))));
        };
    }

    /**
     * A tree that denotes the same function as {@code e}, by commuting {@code + * min max},
     * reassociating sums and products, distributing products over sums and writing {@code x - y} as
     * {@code x + (-1) * y}.
     */
    static Expr equivalent(SplittableRandom r, Expr e) {
        if (!(e instanceof Bin b)) {
            return e instanceof Pow p ? new Pow(equivalent(r, p.base()), p.exponent()) : e;
        }
        Expr x = equivalent(r, b.left()), y = equivalent(r, b.right());
        boolean commutes = b.op() == Op.ADD || b.op() == Op.MUL || b.op() == Op.MIN || b.op() == Op.MAX;
        if (commutes && r.nextBoolean()) {
            Expr t = x;
            x = y;
            y = t;
        }
        if (b.op() == Op.SUB && r.nextInt(3) == 0) {
            return new Bin(Op.ADD, x, new Bin(Op.MUL, new Const(-1), y));
        }
        if (b.op() == Op.MUL && y instanceof Bin s && (s.op() == Op.ADD || s.op() == Op.SUB) && r.nextInt(3) == 0) {
            return new Bin(s.op(), new Bin(Op.MUL, x, s.left()), new Bin(Op.MUL, x, s.right()));
        }
        if ((b.op() == Op.ADD || b.op() == Op.MUL) && y instanceof Bin s && s.op() == b.op() && r.nextInt(3) == 0) {
            return new Bin(b.op(), new Bin(b.op(), x, s.left()), s.right());
        }
        return new Bin(b.op(), x, y);
    }
}
