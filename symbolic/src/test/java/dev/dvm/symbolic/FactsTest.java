package dev.dvm.symbolic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FactsTest {
    @Test
    void factsCombineAndTightenRanges() {
        Facts f = Facts.builder().range("s", 1, 100).multipleOf("s", 8).equal("s", "kv").range("kv", 0, 90).divisible("t", 4, 7).build();
        assertEquals(8, f.min("s"));
        assertEquals(88, f.max("kv"));
        assertEquals(8, f.divisor("kv"));
        assertEquals("kv", f.representative("s"));
        assertEquals(3, f.remainder("t"));
        assertEquals(3, f.min("t"), "undeclared ranges start at 0, tightened to the residue");
        assertEquals(Long.MAX_VALUE, f.max("t"));
        Facts crt = Facts.builder().divisible("n", 4, 1).divisible("n", 6, 5).build();
        assertEquals(12, crt.divisor("n"));
        assertEquals(5, crt.remainder("n"));
    }

    @Test
    void contradictionsAreRejectedWithTheFacts() {
        String m = assertThrows(IllegalArgumentException.class, () -> Facts.builder().divisible("s", 2, 1).multipleOf("s", 4).build()).getMessage();
        assertTrue(m.contains("s % 2 == 1") && m.contains("s % 4 == 0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Facts.builder().range("s", 1, 7).multipleOf("s", 8).build()).getMessage();
        assertTrue(m.contains("no value satisfies 1 <= s <= 7 and s % 8 == 0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Facts.builder().range("a", 0, 3).range("b", 5, 9).equal("a", "b").build()).getMessage();
        assertTrue(m.contains("a == b") && m.contains("do not overlap"), m);
        assertThrows(IllegalArgumentException.class, () -> Facts.builder().range("s", 5, 1));
        assertThrows(IllegalArgumentException.class, () -> Facts.builder().divisible("s", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Facts.builder().range("1s", 0, 1));
    }

    @Test
    void bindingChecksEveryFactAndFillsEqualSymbols() {
        Facts f = Facts.builder().range("s", 1, 8192).multipleOf("s", 8).equal("s", "u").build();
        Bindings b = f.bind(Map.of("s", 64L));
        assertEquals(64, b.value("u"));
        String m = assertThrows(IllegalArgumentException.class, () -> f.bind(Map.of("s", 37L))).getMessage();
        assertTrue(m.contains("s = 37 violates the declared fact") && m.contains("s % 8 == 0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> f.bind(Map.of("s", 8L, "u", 16L))).getMessage();
        assertTrue(m.contains("s == u"), m);
        m = assertThrows(IllegalArgumentException.class, () -> f.bind(Map.of("n", -1L))).getMessage();
        assertTrue(m.contains("n = -1 violates the default fact n >= 0"), m);
        assertEquals(Bindings.of("s", 8, "u", 8).signature(), f.bind(Map.of("u", 8L)).signature());
    }
}
