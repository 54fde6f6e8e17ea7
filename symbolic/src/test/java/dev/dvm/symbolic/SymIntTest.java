package dev.dvm.symbolic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SymIntTest {
    private static final SymInt S = SymInt.symbol("s"), T = SymInt.symbol("t"), U = SymInt.symbol("u");

    private static SymInt p(String text) {
        return SymInt.parse(text);
    }

    @Test
    void sumsAndProductsHaveOneCanonicalForm() {
        assertEquals(S.plus(T), T.plus(S));
        assertEquals(S.plus(T).hashCode(), T.plus(S).hashCode());
        assertEquals(S.times(T).times(U), S.times(T.times(U)));
        assertEquals(S.times(T.plus(U)), S.times(T).plus(S.times(U)));
        assertEquals(SymInt.ZERO, S.minus(S));
        assertEquals(SymInt.of(7), S.plus(3).minus(S).plus(4));
        assertEquals(p("s^2 - 1"), S.plus(1).times(S.minus(1)));
        assertEquals(S.times(S).times(S), S.pow(3));
        assertEquals("s * 2 + t * 3 - 1", S.times(2).plus(T.times(3)).minus(1).toString());
    }

    @Test
    void constantDivisorsNormalise() {
        assertEquals(S.plus(T.floorDiv(128)), S.times(128).plus(T).floorDiv(128), "multiples of the divisor come out");
        assertEquals(S.floorDiv(32), S.floorDiv(4).floorDiv(8), "nested floors merge");
        assertEquals(S.ceilDiv(6), S.ceilDiv(2).ceilDiv(3));
        assertEquals(S.floorDiv(2), S.times(2).floorDiv(4), "common factors cancel");
        assertEquals(S.mod(2).times(2), S.times(2).mod(4));
        assertEquals(S.mod(4), S.mod(8).mod(4));
        assertEquals(S.mod(4), S.mod(4).mod(8));
        assertEquals(SymInt.ZERO, S.times(8).mod(4));
        assertEquals(S, S.floorDiv(1));
        assertEquals(S.negate(), S.floorDiv(-1));
        assertEquals(SymInt.of(-4), SymInt.of(-7).floorDiv(2));
        assertEquals(SymInt.of(-3), SymInt.of(-7).ceilDiv(2));
        assertEquals(SymInt.of(1), SymInt.of(-7).mod(2));
        assertEquals(SymInt.of(-1), SymInt.of(7).mod(-2));
        assertEquals("ceil(s / 128) * 128", S.ceilDiv(128).times(128).toString());
    }

    @Test
    void normalisedDivisionsKeepTheirValue() {
        List<SymInt> forms = List.of(S.times(130).plus(T).floorDiv(128), S.negate().floorDiv(3), S.minus(T).ceilDiv(-4),
                S.times(6).plus(4).mod(-4), S.floorDiv(4).plus(1).floorDiv(8), S.ceilDiv(3).plus(2).ceilDiv(5), S.mod(12).mod(8));
        for (long s = -40; s <= 40; s += 3) {
            for (long t = -9; t <= 9; t += 2) {
                Bindings b = Bindings.of("s", s, "t", t);
                long[] expected = {Math.floorDiv(130 * s + t, 128), Math.floorDiv(-s, 3), Math.ceilDiv(s - t, -4), Math.floorMod(6 * s + 4, -4),
                        Math.floorDiv(Math.floorDiv(s, 4) + 1, 8), Math.ceilDiv(Math.ceilDiv(s, 3) + 2, 5), Math.floorMod(Math.floorMod(s, 12), 8)};
                for (int i = 0; i < forms.size(); i++) {
                    assertEquals(expected[i], forms.get(i).evaluate(b), forms.get(i) + " at " + b);
                }
            }
        }
    }

    @Test
    void exactQuotientsOfOneTermDivisors() {
        assertEquals(p("s + 1"), p("s * t + t").exactQuotient(T));
        assertEquals(p("s * 2 + 3"), p("s * 4 + 6").exactQuotient(SymInt.of(2)));
        assertEquals(null, p("s * t + 1").exactQuotient(T));
        assertEquals(null, p("s * 3").exactQuotient(SymInt.of(2)));
        assertEquals(null, p("s + t").exactQuotient(p("s + t")), "only one-term divisors");
    }

    @Test
    void minAndMaxFlattenFoldAndDropDominatedArguments() {
        assertEquals(S, SymInt.min(S, S.plus(3)));
        assertEquals(S.plus(3), SymInt.max(S, S.plus(3)));
        assertEquals(SymInt.min(List.of(S, T, SymInt.of(4))), SymInt.min(SymInt.min(T, SymInt.of(9)), SymInt.min(S, SymInt.of(4))));
        assertEquals(SymInt.min(S, T), SymInt.min(T, S));
        assertEquals(SymInt.of(2), SymInt.max(SymInt.of(2), SymInt.of(-5)));
        assertEquals("max(3, min(s, t))", SymInt.max(SymInt.min(S, T), SymInt.of(3)).toString());
    }

    @Test
    void printingParsesBack() {
        for (String text : List.of("ceil(s / 128) * 128", "-(s % 8) + (t % 3) * 2", "floor((s + 1) / 2)^2 - min(s, 4, t)",
                "floor(s / 3) - max(s, t) * 2", "s + -9223372036854775808", "(s * t) % (u + 1)", "floor(s / t) * ceil(t / (s + 2))",
                "-s * 3 + 7", "s % -8", "max(s - 1, 0)")) {
            SymInt e = p(text);
            assertEquals(e, p(e.toString()), text + " printed as " + e);
        }
        assertEquals(p("floor(s / 3)"), p("s // 3"));
        assertEquals(p("(s % 8) * 2"), p("s % 8 * 2"));
        assertEquals(S.mod(8).times(T), p("t * (s % 8)"));
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException bare = assertThrows(IllegalArgumentException.class, () -> p("s / 2"));
        assertTrue(bare.getMessage().contains("floor(a / b)"), bare.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p("s + * 2")).getMessage().contains("column 5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p("99999999999999999999")).getMessage().contains("long range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SymInt.symbol("min")).getMessage().contains("function names"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SymInt.symbol("2x")).getMessage().contains("identifier"));
        ArithmeticException zero = assertThrows(ArithmeticException.class, () -> S.floorDiv(0));
        assertTrue(zero.getMessage().contains("floor(s / 0)"), zero.getMessage());
        ArithmeticException atRun = assertThrows(ArithmeticException.class, () -> S.mod(T).evaluate(Bindings.of("s", 3, "t", 0)));
        assertTrue(atRun.getMessage().contains("divisor t is 0") && atRun.getMessage().contains("t=0"), atRun.getMessage());
        IllegalArgumentException unbound = assertThrows(IllegalArgumentException.class, () -> S.plus(T).evaluate(Bindings.of("s", 1)));
        assertTrue(unbound.getMessage().contains("symbol t has no value"), unbound.getMessage());
        ArithmeticException overflow = assertThrows(ArithmeticException.class, () -> S.pow(2).evaluate(Bindings.of("s", 1L << 40)));
        assertTrue(overflow.getMessage().contains("overflow: s^2"), overflow.getMessage());
        assertThrows(ArithmeticException.class, () -> SymInt.of(Long.MAX_VALUE).plus(1));
        assertThrows(IllegalStateException.class, S::constantValue);
    }

    @Test
    void substitutionRebuildsCanonically() {
        SymInt e = p("floor((s + t) / 4) + min(s, t)");
        assertEquals(p("floor((t * 3 + 2) / 4) + min(t, t * 2 - 6) - 2"), e.substitute(Map.of("s", T.minus(6).plus(T))));
        assertEquals(e, e.substitute(Map.of()));
        assertEquals(java.util.Set.of("s", "t"), e.symbols());
        assertNotEquals(e, e.substitute(Map.of("s", U)));
    }
}
