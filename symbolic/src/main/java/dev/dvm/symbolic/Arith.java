package dev.dvm.symbolic;

import dev.dvm.symbolic.Atom.DivKind;

/** Exact and saturating {@code long} arithmetic shared by evaluation, canonical forms and the prover. */
final class Arith {
    /** Bounds of the prover's intervals: these two values stand for minus and plus infinity. */
    static final long NEG_INF = Long.MIN_VALUE, POS_INF = Long.MAX_VALUE;

    private Arith() {}

    /** Division by zero during evaluation; the evaluator adds the expression and bindings. */
    static final class DivisionByZero extends ArithmeticException {
        DivisionByZero(String message) {
            super(message);
        }
    }

    /** {@code kind(n, d)} exactly, for {@code d != 0}. */
    static long apply(DivKind kind, long n, long d) {
        return switch (kind) {
            case FLOOR -> Math.floorDivExact(n, d);
            case CEIL -> Math.ceilDivExact(n, d);
            case MOD -> Math.floorMod(n, d);
        };
    }

    /** Greatest common divisor, non-negative; {@code gcd(0, x) = |x|}. */
    static long gcd(long a, long b) {
        a = Math.abs(a);
        b = Math.abs(b);
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Least common multiple of positive numbers, or -1 when it leaves the long range. */
    static long lcm(long a, long b) {
        try {
            return Math.multiplyExact(a / gcd(a, b), b);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** {@code (a - b) mod m} in {@code [0, m)} without overflow, for {@code m > 0}. */
    static long modDistance(long a, long b, long m) {
        long d = Math.floorMod(a, m) - Math.floorMod(b, m);
        return d < 0 ? d + m : d;
    }

    static boolean infinite(long x) {
        return x == NEG_INF || x == POS_INF;
    }

    /** {@code a + b} where the infinities absorb and overflow saturates (sound for interval bounds). */
    static long satAdd(long a, long b) {
        if (infinite(a)) {
            return a;
        }
        if (infinite(b)) {
            return b;
        }
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? NEG_INF : POS_INF;
        }
        return r == NEG_INF ? NEG_INF : r;
    }

    /** {@code a * b} saturating; an infinity times 0 is 0 (bounds stand for finite values). */
    static long satMul(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        boolean negative = (a < 0) != (b < 0);
        if (infinite(a) || infinite(b)) {
            return negative ? NEG_INF : POS_INF;
        }
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
            return lo == NEG_INF || lo == POS_INF ? (negative ? NEG_INF : POS_INF) : lo;
        }
        return negative ? NEG_INF : POS_INF;
    }

    /**
     * {@code floor(a / b)} for {@code b != 0} with saturation, where an infinite operand stands for
     * an arbitrarily large one: the result is a limit of values {@code floor(a' / b')} reaches.
     */
    static long satFloorDiv(long a, long b) {
        if (infinite(b)) {
            if (infinite(a)) {
                return 0;
            }
            // a finite over an unbounded divisor tends to 0 from the side of a's sign.
            return a == 0 || (a > 0) == (b > 0) ? 0 : -1;
        }
        if (infinite(a)) {
            return (a > 0) == (b > 0) ? POS_INF : NEG_INF;
        }
        long r = Math.floorDiv(a, b);
        return r == NEG_INF ? NEG_INF : r;
    }

    /** {@code ceil(a / b)} for {@code b != 0}, saturating like {@link #satFloorDiv}. */
    static long satCeilDiv(long a, long b) {
        long r = satFloorDiv(satNeg(a), b);
        return satNeg(r);
    }

    static long satNeg(long a) {
        return a == NEG_INF ? POS_INF : a == POS_INF ? NEG_INF : -a;
    }
}
