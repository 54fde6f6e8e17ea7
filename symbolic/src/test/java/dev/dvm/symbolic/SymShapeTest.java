package dev.dvm.symbolic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SymShape plus the small guard types: construction, parsing, printing, evaluation, checks. */
class SymShapeTest {
    private static final SymInt S = SymInt.symbol("s"), T = SymInt.symbol("t");

    @Test
    void parsesAndPrintsRoundTrip() {
        for (String text : List.of("[b, s * 2, 4096]", "[]", "[min(8, s), t]", "[ceil(s / 128) * 128, max(3, s, t)]", "[-1, 4]")) {
            SymShape shape = SymShape.parse(text);
            assertEquals(text, shape.toString());
            assertEquals(shape, SymShape.parse(shape.toString()));
        }
        assertEquals(2, SymShape.parse("[min(s, 8), t]").rank());
        assertEquals(0, SymShape.parse(" [ ] ").rank());
    }

    @Test
    void rejectsMalformedText() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SymShape.parse("b, s")).getMessage().contains("brackets"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SymShape.parse("[b, , s]")).getMessage().contains("dim 1 is empty"));
        assertThrows(IllegalArgumentException.class, () -> SymShape.parse("[s / 2]"));
        assertThrows(NullPointerException.class, () -> SymShape.parse(null));
    }

    @Test
    void factoriesAgree() {
        SymShape a = SymShape.of(S.times(2), SymInt.of(4));
        assertEquals(a, SymShape.of(List.of(S.times(2), SymInt.of(4))));
        assertEquals(a, SymShape.parse("[2 * s, 4]"));
        assertEquals(a.hashCode(), SymShape.parse("[s + s, 4]").hashCode());
        assertEquals(SymShape.of(2, 3), SymShape.parse("[2, 3]"));
        assertNotEquals(SymShape.of(2, 3), SymShape.of(3, 2));
        assertNotEquals(SymShape.of(2), SymShape.of(2, 1));
    }

    @Test
    void copiesItsInputs() {
        SymInt[] dims = {S, T};
        SymShape shape = SymShape.of(dims);
        dims[0] = T;
        assertEquals(S, shape.dim(0));
        List<SymInt> list = new ArrayList<>(List.of(S));
        SymShape fromList = SymShape.of(list);
        list.set(0, T);
        assertEquals(S, fromList.dim(0));
        assertThrows(UnsupportedOperationException.class, () -> shape.dims().set(0, T));
    }

    @Test
    void rejectsNullsAndBadAxes() {
        assertThrows(NullPointerException.class, () -> SymShape.of((SymInt[]) null));
        assertTrue(assertThrows(NullPointerException.class, () -> SymShape.of(S, null)).getMessage().contains("dim 1"));
        assertThrows(NullPointerException.class, () -> SymShape.of(new ArrayList<>(java.util.Arrays.asList(S, null))));
        SymShape shape = SymShape.of(S, T);
        assertTrue(assertThrows(IndexOutOfBoundsException.class, () -> shape.dim(2)).getMessage().contains("[s, t]"));
        assertThrows(IndexOutOfBoundsException.class, () -> shape.dim(-1));
    }

    @Test
    void numelEvaluateAndSymbols() {
        SymShape shape = SymShape.parse("[b, s * 2, 4]");
        assertEquals(SymInt.parse("b * s * 8"), shape.numel());
        assertEquals(SymInt.ONE, SymShape.of(new SymInt[0]).numel());
        assertArrayEquals(new long[] {3, 10, 4}, shape.evaluate(Bindings.of("b", 3, "s", 5)));
        assertEquals(Set.of("b", "s"), shape.symbols());
        assertThrows(IllegalArgumentException.class, () -> shape.evaluate(Bindings.of("b", 3)));
        assertThrows(ArithmeticException.class, () -> SymShape.parse("[s * 4611686018427387904]").evaluate(Bindings.of("s", 2)));
    }

    @Test
    void conditionsEvaluateAndPrint() {
        Bindings b = Bindings.of("s", 3, "t", 4);
        assertEquals("s == t", new Condition(S, Relation.EQ, T).toString());
        assertFalse(new Condition(S, Relation.EQ, T).holds(b));
        assertTrue(new Condition(S, Relation.NE, T).holds(b));
        assertTrue(new Condition(S, Relation.LT, T).holds(b));
        assertTrue(new Condition(T, Relation.LE, T).holds(b));
        assertFalse(new Condition(T, Relation.LT, S).holds(b));
        assertEquals("s <= t", new Condition(S, Relation.LE, T).toString());
        assertEquals("s < t", new Condition(S, Relation.LT, T).toString());
        assertEquals("s != t", new Condition(S, Relation.NE, T).toString());
        assertThrows(NullPointerException.class, () -> new Condition(null, Relation.EQ, T));
    }

    @Test
    void guardsAndGuardedCheck() {
        Guard g = new Guard(List.of(new Condition(S, Relation.EQ, T), new Condition(T, Relation.EQ, SymInt.ONE)),
                "broadcast of [s, 4] and [t, 4], axis 0");
        assertEquals("s == t || t == 1 (broadcast of [s, 4] and [t, 4], axis 0)", g.toString());
        assertTrue(g.holds(Bindings.of("s", 5, "t", 5)));
        assertTrue(g.holds(Bindings.of("s", 5, "t", 1)));
        assertFalse(g.holds(Bindings.of("s", 5, "t", 2)));
        assertThrows(IllegalArgumentException.class, () -> new Guard(List.of(), "nothing"));

        Guarded<String> free = new Guarded<>("x", List.of());
        assertTrue(free.unconditional());
        assertSame("x", free.check(Bindings.empty()));
        Guarded<String> guarded = new Guarded<>("x", List.of(g));
        assertFalse(guarded.unconditional());
        assertTrue(guarded.holds(Bindings.of("s", 2, "t", 2)));
        assertSame("x", guarded.check(Bindings.of("s", 2, "t", 2)));
        ShapeException e = assertThrows(ShapeException.class, () -> guarded.check(Bindings.of("s", 2, "t", 3)));
        assertTrue(e.getMessage().contains(g.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("{s=2, t=3}"), e.getMessage());
    }
}
