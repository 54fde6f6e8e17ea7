package dev.dvm.symbolic;

import static dev.dvm.symbolic.Truth.FALSE;
import static dev.dvm.symbolic.Truth.TRUE;
import static dev.dvm.symbolic.Truth.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ProverTest {
    private static final Prover BARE = Prover.withoutFacts();
    private static final Prover SEQ = new Prover(Facts.builder().range("s", 1, 8192).multipleOf("s", 8).equal("s", "kv")
            .range("b", 1, 64).divisible("odd", 2, 1).build());

    private static SymInt p(String text) {
        return SymInt.parse(text);
    }

    @Test
    void equalityThroughCanonicalFormsRelaxationAndFacts() {
        assertEquals(TRUE, BARE.equal(p("(s + 1) * (s - 1)"), p("s^2 - 1")));
        assertEquals(TRUE, BARE.equal(p("floor(s / 8) * 8 + s % 8"), p("s")), "a mod written back through its floor");
        assertEquals(TRUE, SEQ.equal(p("ceil(s / 8) * 8"), p("s")), "s is a multiple of 8");
        assertEquals(UNKNOWN, BARE.equal(p("ceil(s / 8) * 8"), p("s")));
        assertEquals(TRUE, SEQ.equal(p("s * b"), p("kv * b")), "declared equal symbols merge");
        assertEquals(TRUE, SEQ.equal(p("s % 8"), SymInt.ZERO));
        assertEquals(TRUE, SEQ.equal(p("min(s, 9000)"), p("kv")));
        assertEquals(UNKNOWN, BARE.equal(p("s"), p("t")));
    }

    @Test
    void disequalityFromResiduesAndRanges() {
        assertEquals(FALSE, BARE.equal(p("s"), p("s + 1")));
        assertEquals(FALSE, BARE.equal(p("s * 2"), p("t * 2 + 1")), "even versus odd");
        assertEquals(FALSE, SEQ.equal(p("odd"), SymInt.ZERO));
        assertEquals(FALSE, SEQ.equal(p("s"), p("8193")));
        assertEquals(FALSE, SEQ.equal(p("s + 4"), p("kv * 2 + 8")), "only s = -4 would do");
        assertEquals(TRUE, SEQ.notEqual(p("s"), p("s + 3")));
        assertEquals(FALSE, BARE.equal(p("s + 1"), SymInt.ZERO), "symbols are non-negative");
    }

    @Test
    void orderingThroughMinMaxAndDivisions() {
        assertEquals(TRUE, BARE.less(p("s"), p("s + 1")));
        assertEquals(TRUE, BARE.lessOrEqual(p("min(s, 128)"), p("s")));
        assertEquals(TRUE, BARE.greaterOrEqual(p("max(s, t)"), p("t")));
        assertEquals(TRUE, BARE.lessOrEqual(p("floor(s / 8) * 8"), p("s")));
        assertEquals(TRUE, BARE.less(p("s - floor(s / 8) * 8"), p("8")));
        assertEquals(TRUE, BARE.lessOrEqual(p("ceil(s / 128) * 128 - s"), p("127")));
        assertEquals(TRUE, BARE.greaterOrEqual(p("ceil(s / 128) * 128"), p("s")));
        assertEquals(TRUE, BARE.greaterOrEqual(p("s * t"), SymInt.ZERO));
        assertEquals(TRUE, SEQ.less(p("b"), p("65")));
        assertEquals(FALSE, SEQ.less(p("s"), p("8")));
        assertNotEquals(FALSE, SEQ.lessOrEqual(p("floor(s / t)"), p("s")), "true for t >= 1, and t = 0 is no binding");
        assertEquals(UNKNOWN, BARE.less(p("s"), p("t")));
        assertEquals(TRUE, BARE.greater(p("s + 1"), p("min(s, t)")));
    }

    @Test
    void divisibility() {
        assertEquals(TRUE, BARE.divisible(p("s * 8 + 16"), 8));
        assertEquals(TRUE, SEQ.divisible(p("s + kv"), 16));
        assertEquals(UNKNOWN, SEQ.divisible(p("s"), 16));
        assertEquals(FALSE, SEQ.divisible(p("s + 1"), 2));
        assertEquals(TRUE, BARE.divisible(p("floor(s / 2) * 6"), 3));
        assertEquals(TRUE, BARE.divisible(p("s * t * 3 + s^2 * 6"), p("s * 3")));
        assertEquals(TRUE, SEQ.divisible(p("odd * odd"), -1));
        assertEquals(TRUE, SEQ.divisible(p("odd * odd + odd"), 2), "odd * (odd + 1) is even");
        assertThrows(ArithmeticException.class, () -> BARE.divisible(p("s"), 0));
    }

    @Test
    void boundsAreSoundAndSaturate() {
        assertArrayEquals(new long[] {1, 1024}, SEQ.bounds(p("floor(s / 8)")));
        assertArrayEquals(new long[] {0, Long.MAX_VALUE}, BARE.bounds(p("s * 4611686018427387904")));
        assertArrayEquals(new long[] {0, 7}, BARE.bounds(p("s % 8")));
        assertArrayEquals(new long[] {-7, 0}, BARE.bounds(p("s % -8")));
        assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, BARE.bounds(p("s - t")));
    }

    @Test
    void simplifyUsesWhatIsProven() {
        assertEquals(p("kv"), SEQ.simplify(p("min(s, 9000)")));
        assertEquals(p("kv * 2"), SEQ.simplify(p("s + kv")));
        assertEquals(SymInt.ZERO, SEQ.simplify(p("floor(b / 65)")));
        assertEquals(p("b"), SEQ.simplify(p("b % 100")));
        assertEquals(p("min(s, t)"), BARE.simplify(p("min(s, t)")));
        assertEquals(p("kv + 1"), SEQ.simplify(p("floor((s * b + b) / b)")), "b >= 1, so the exact quotient stands");
        assertEquals(p("floor((s * t) / t)"), BARE.simplify(p("floor((s * t) / t)")), "t may be 0: the division stays");
        assertEquals(TRUE, BARE.divisible(p("s * t + t * 2"), p("t")));
    }
}
