package dev.dvm.symbolic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every shape rule on its three paths (proved, refuted, guarded), facts-driven proofs, and a seeded
 * comparison of guarded results with concrete NumPy-style shape arithmetic.
 */
class ShapeRulesTest {
    private static final ShapeRules RULES = new ShapeRules(Prover.withoutFacts());

    private static SymShape sh(String text) {
        return SymShape.parse(text);
    }

    private static SymInt e(String text) {
        return SymInt.parse(text);
    }

    private static Bindings bind(long s, long t) {
        return Bindings.of("s", s, "t", t);
    }

    private static String error(Supplier<?> rule) {
        return assertThrows(ShapeException.class, rule::get).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "'" + message + "' lacks '" + p + "'");
        }
    }

    private static ShapeRules rules(Facts facts) {
        return new ShapeRules(new Prover(facts));
    }

    // ---------------------------------------------------------------- broadcast

    @Test
    void broadcastProved() {
        Guarded<SymShape> same = RULES.broadcast(sh("[b, s, h, d]"), sh("[b, s, h, d]"));
        assertTrue(same.unconditional());
        assertEquals(sh("[b, s, h, d]"), same.value());
        assertEquals(sh("[b, s, 4]"), RULES.broadcast(sh("[b, s, 4]"), sh("[4]")).value());
        assertEquals(sh("[s, 4]"), RULES.broadcast(sh("[1, 4]"), sh("[s, 1]")).value());
        assertTrue(RULES.broadcast(sh("[1, 4]"), sh("[s, 1]")).unconditional());
        assertEquals(sh("[2, s]"), RULES.broadcast(sh("[2, 1]"), sh("[s]")).value());
        assertEquals(sh("[]"), RULES.broadcast(sh("[]"), sh("[]")).value());
        assertEquals(sh("[3]"), RULES.broadcast(sh("[]"), sh("[3]")).value());
        // s + 1 - s folds to 1: the canonical form proves it.
        assertTrue(RULES.broadcast(sh("[s + 1 - s, t]"), sh("[u, t]")).unconditional());
    }

    @Test
    void broadcastRefuted() {
        assertEquals("broadcast: [s, 4] and [t, 3] differ at axis 1 (4 vs 3) and neither is 1; reshape one operand or insert a broadcast",
                error(() -> RULES.broadcast(sh("[s, 4]"), sh("[t, 3]"))));
        // The prover refutes symbolic dims too: s + 2 and s + 3 differ, and neither can be 1.
        assertContains(error(() -> RULES.broadcast(sh("[s + 2, 5]"), sh("[s + 3, 5]"))), "axis 0 (s + 2 vs s + 3)");
        assertContains(error(() -> RULES.broadcast(sh("[2, 3]"), sh("[4, 2, 4]"))), "[2, 3] and [4, 2, 4]", "axis 2 (3 vs 4)");
    }

    @Test
    void broadcastGuarded() {
        Guarded<SymShape> g = RULES.broadcast(sh("[s, 4]"), sh("[t, 4]"));
        assertEquals(1, g.guards().size());
        assertEquals("s == t || s == 1 || t == 1 (broadcast of [s, 4] and [t, 4], axis 0)", g.guards().get(0).toString());
        for (long[] st : new long[][] {{5, 5}, {1, 7}, {7, 1}, {1, 0}, {0, 1}, {0, 0}, {1, 1}}) {
            assertTrue(g.holds(bind(st[0], st[1])));
            long expected = st[0] == 1 ? st[1] : st[0];
            assertArrayEquals(new long[] {expected, 4}, g.value().evaluate(bind(st[0], st[1])), Arrays.toString(st));
        }
        assertFalse(g.holds(bind(2, 3)));
        assertFalse(g.holds(bind(0, 3)));

        Guarded<SymShape> constant = RULES.broadcast(sh("[4]"), sh("[t]"));
        assertEquals(sh("[4]"), constant.value());
        assertEquals("4 == t || t == 1 (broadcast of [4] and [t], axis 0)", constant.guards().get(0).toString());
    }

    @Test
    void broadcastUsesFacts() {
        ShapeRules sAtLeast2 = rules(Facts.builder().range("s", 2, 1024).build());
        Guarded<SymShape> g = sAtLeast2.broadcast(sh("[s, 4]"), sh("[t, 4]"));
        assertEquals(sh("[s, 4]"), g.value());
        assertEquals("s == t || t == 1 (broadcast of [s, 4] and [t, 4], axis 0)", g.guards().get(0).toString());
        assertTrue(g.holds(bind(3, 1)));
        assertFalse(g.holds(bind(3, 2)));

        ShapeRules equal = rules(Facts.builder().equal("s", "t").build());
        Guarded<SymShape> same = equal.broadcast(sh("[s]"), sh("[t]"));
        assertTrue(same.unconditional());
        assertEquals(sh("[s]"), same.value());

        // Both at least 1, either may be the 1: max(s, t) is exact.
        ShapeRules positive = rules(Facts.builder().range("s", 1, 64).range("t", 1, 64).build());
        assertEquals(sh("[max(s, t)]"), positive.broadcast(sh("[s]"), sh("[t]")).value());
        // Odd s and even t are never equal and t is never 1: only s == 1 remains, and the dim is t.
        ShapeRules parity = rules(Facts.builder().divisible("s", 2, 1).multipleOf("t", 2).build());
        Guarded<SymShape> odd = parity.broadcast(sh("[s]"), sh("[t]"));
        assertEquals(sh("[t]"), odd.value());
        assertEquals("s == 1 (broadcast of [s] and [t], axis 0)", odd.guards().get(0).toString());
        ShapeRules refuted = rules(Facts.builder().range("s", 2, 10).range("t", 11, 20).build());
        assertContains(error(() -> refuted.broadcast(sh("[s]"), sh("[t]"))), "broadcast", "axis 0 (s vs t)");
    }

    @Test
    void sameShapeAndBroadcastsTo() {
        assertEquals(Truth.TRUE, RULES.sameShape(sh("[b, s, h, d]"), sh("[b, s, h, d]")));
        assertEquals(Truth.TRUE, RULES.sameShape(sh("[s * 2]"), sh("[s + s]")));
        assertEquals(Truth.FALSE, RULES.sameShape(sh("[s]"), sh("[s, 1]")));
        assertEquals(Truth.FALSE, RULES.sameShape(sh("[s, 3]"), sh("[t, 4]")));
        assertEquals(Truth.UNKNOWN, RULES.sameShape(sh("[s, 4]"), sh("[t, 4]")));
        assertEquals(Truth.TRUE, rules(Facts.builder().equal("s", "t").build()).sameShape(sh("[s, 4]"), sh("[t, 4]")));

        assertEquals(Truth.TRUE, RULES.broadcastsTo(sh("[1, s]"), sh("[b, 4, s]")));
        assertEquals(Truth.TRUE, RULES.broadcastsTo(sh("[]"), sh("[b]")));
        assertEquals(Truth.FALSE, RULES.broadcastsTo(sh("[b, s]"), sh("[s]")));
        assertEquals(Truth.FALSE, RULES.broadcastsTo(sh("[3]"), sh("[4]")));
        assertEquals(Truth.FALSE, RULES.broadcastsTo(sh("[s + 2]"), sh("[s]")));
        assertEquals(Truth.UNKNOWN, RULES.broadcastsTo(sh("[s]"), sh("[t]")));
        assertEquals(Truth.UNKNOWN, RULES.broadcastsTo(sh("[s]"), sh("[4]")));
        assertEquals(Truth.FALSE, rules(Facts.builder().range("s", 2, 3).build()).broadcastsTo(sh("[s]"), sh("[4]")));
        assertThrows(NullPointerException.class, () -> RULES.sameShape(null, sh("[]")));
        assertThrows(NullPointerException.class, () -> RULES.broadcastsTo(sh("[]"), null));
    }

    // ---------------------------------------------------------------- reduce, reshape, permute

    @Test
    void reduce() {
        SymShape a = sh("[b, s, h]");
        assertEquals(sh("[b, h]"), RULES.reduce(a, new int[] {1}, false).value());
        assertEquals(sh("[b, 1, 1]"), RULES.reduce(a, new int[] {-1, 1}, true).value());
        assertEquals(sh("[]"), RULES.reduce(a, new int[] {0, 1, 2}, false).value());
        assertEquals(a, RULES.reduce(a, new int[0], false).value());
        assertTrue(RULES.reduce(a, new int[] {0}, true).unconditional());
        assertEquals("reduce: axis 3 is out of range for [b, s, h] (rank 3); use an axis in [-3, 2]",
                error(() -> RULES.reduce(a, new int[] {3}, false)));
        assertContains(error(() -> RULES.reduce(a, new int[] {-4}, false)), "axis -4");
        assertContains(error(() -> RULES.reduce(a, new int[] {2, -1}, false)), "reduce", "axis 2", "[b, s, h]", "twice", "[2, -1]");
        assertContains(error(() -> RULES.reduce(sh("[]"), new int[] {0}, false)), "rank-0");
        assertThrows(NullPointerException.class, () -> RULES.reduce(a, null, false));
    }

    @Test
    void reshapeWithoutInference() {
        Guarded<SymShape> proved = RULES.reshape(sh("[s, 4, t]"), sh("[2, t, s * 2]"));
        assertTrue(proved.unconditional());
        assertEquals(sh("[2, t, s * 2]"), proved.value());
        assertEquals("reshape: [2, 3] (6 elements) to [4, 2] (8 elements) changes the element count; choose a target with as many "
                + "elements, or -1 for one dim", error(() -> RULES.reshape(sh("[2, 3]"), sh("[4, 2]"))));
        Guarded<SymShape> g = RULES.reshape(sh("[s, 4]"), sh("[t]"));
        assertEquals("s * 4 == t (reshape of [s, 4] to [t], element count)", g.guards().get(0).toString());
        assertTrue(g.holds(bind(3, 12)));
        assertFalse(g.holds(bind(3, 11)));
        assertTrue(rules(Facts.builder().equal("s", "t").build()).reshape(sh("[s, 4]"), sh("[t * 4]")).unconditional());
    }

    @Test
    void reshapeWithInference() {
        Guarded<SymShape> proved = RULES.reshape(sh("[s, 4]"), sh("[-1, 2]"));
        assertTrue(proved.unconditional());
        assertEquals(sh("[s * 2, 2]"), proved.value());
        assertContains(error(() -> RULES.reshape(sh("[3, 5]"), sh("[-1, 2]"))), "reshape", "[3, 5]", "[-1, 2]", "axis 0",
                "multiple of 2", "divides the element count");
        Guarded<SymShape> g = RULES.reshape(sh("[s, 3]"), sh("[4, -1]"));
        assertEquals(sh("[4, floor(s * 3 / 4)]"), g.value());
        assertEquals("(s * 3) % 4 == 0 (reshape of [s, 3] to [4, -1], inferred axis 1)", g.guards().get(0).toString());
        assertTrue(g.holds(Bindings.of("s", 8)));
        assertArrayEquals(new long[] {4, 6}, g.value().evaluate(Bindings.of("s", 8)));
        assertFalse(g.holds(Bindings.of("s", 6)));
        // A divisibility fact proves it.
        assertTrue(rules(Facts.builder().multipleOf("s", 4).build()).reshape(sh("[s, 3]"), sh("[4, -1]")).unconditional());
        // Symbolic known dims: t divides s * t whenever t != 0, and t == 0 would leave the -1 ambiguous.
        Guarded<SymShape> symbolic = RULES.reshape(sh("[s, t]"), sh("[-1, t]"));
        assertEquals("t != 0 (reshape of [s, t] to [-1, t], inferred axis 0)", symbolic.guards().get(0).toString());
        assertEquals(1, symbolic.guards().size());
        assertArrayEquals(new long[] {3, 5}, symbolic.check(bind(3, 5)).evaluate(bind(3, 5)));
        assertFalse(symbolic.holds(bind(3, 0)));
        assertTrue(rules(Facts.builder().range("t", 1, 64).build()).reshape(sh("[s, t]"), sh("[-1, t]")).unconditional());
        ShapeRules empty = rules(Facts.builder().range("t", 0, 0).build());
        assertContains(error(() -> empty.reshape(sh("[s]"), sh("[-1, t]"))), "reshape: [s] to [-1, t]", "axis 0", "multiply to 0");
    }

    @Test
    void reshapeRejectsBadTargets() {
        assertEquals("reshape: [6] to [-1, 2, -1] has -1 at axes 0 and 2; only one dim can be inferred, give the others explicitly",
                error(() -> RULES.reshape(sh("[6]"), sh("[-1, 2, -1]"))));
        assertContains(error(() -> RULES.reshape(sh("[6]"), sh("[0, 6]"))), "dim 0 at axis 0", "positive");
        assertContains(error(() -> RULES.reshape(sh("[6]"), sh("[-2, -3]"))), "dim -2 at axis 0");
        assertThrows(NullPointerException.class, () -> RULES.reshape(null, sh("[1]")));
    }

    @Test
    void permute() {
        assertEquals(sh("[d, b, s]"), RULES.permute(sh("[b, s, d]"), new int[] {2, 0, 1}).value());
        assertEquals(sh("[d, b, s]"), RULES.permute(sh("[b, s, d]"), new int[] {-1, 0, -2}).value());
        assertTrue(RULES.permute(sh("[b, s]"), new int[] {1, 0}).unconditional());
        assertEquals("permute: perm [0, 0] for [b, s] is not a permutation: axis 0 appears twice; list each axis of 0..1 once",
                error(() -> RULES.permute(sh("[b, s]"), new int[] {0, 0})));
        assertContains(error(() -> RULES.permute(sh("[b, s]"), new int[] {0})), "perm [0] has 1 entries", "rank 2");
        assertContains(error(() -> RULES.permute(sh("[b, s]"), new int[] {0, 2})), "permute: axis 2 is out of range for [b, s]");
    }

    // ---------------------------------------------------------------- slice, concat, split

    @Test
    void slice() {
        Guarded<SymShape> proved = RULES.slice(sh("[s, 8]"), 1, e("2"), e("7"), 2);
        assertTrue(proved.unconditional());
        assertEquals(sh("[s, 3]"), proved.value());
        assertEquals(sh("[s, 8]"), RULES.slice(sh("[s, 8]"), -1, e("0"), e("8"), 1).value());
        assertEquals("slice: end 10 > dim 8 on axis 1 of [s, 8]; clamp the end to the dim",
                error(() -> RULES.slice(sh("[s, 8]"), 1, e("0"), e("10"), 1)));
        assertContains(error(() -> RULES.slice(sh("[8]"), 0, e("5"), e("3"), 1)), "start 5 > end 3", "axis 0", "[8]");
        assertContains(error(() -> RULES.slice(sh("[8]"), 0, e("-1"), e("3"), 1)), "start -1", "negative");
        assertContains(error(() -> RULES.slice(sh("[8]"), 0, e("0"), e("3"), 0)), "step 0", "positive");

        Guarded<SymShape> g = RULES.slice(sh("[s, 8]"), 0, e("t"), e("s"), 3);
        assertEquals(sh("[ceil((s - t) / 3), 8]"), g.value());
        assertEquals(List.of("t <= s (slice of [s, 8], axis 0)"), g.guards().stream().map(Guard::toString).toList());
        assertTrue(g.holds(bind(10, 4)));
        assertArrayEquals(new long[] {2, 8}, g.value().evaluate(bind(10, 4)));
        assertFalse(g.holds(bind(3, 4)));
        // start = s + 1 > end = s is refuted outright.
        assertContains(error(() -> RULES.slice(sh("[s]"), 0, e("s + 1"), e("s"), 1)), "start s + 1 > end s");
        // A range proves end <= dim.
        assertTrue(rules(Facts.builder().range("s", 16, 100).build()).slice(sh("[s]"), 0, e("0"), e("16"), 1).unconditional());
    }

    @Test
    void concat() {
        Guarded<SymShape> proved = RULES.concat(List.of(sh("[b, s]"), sh("[b, t]"), sh("[b, 4]")), 1);
        assertTrue(proved.unconditional());
        assertEquals(sh("[b, s + t + 4]"), proved.value());
        assertEquals(sh("[b * 2, 3]"), RULES.concat(List.of(sh("[b, 3]"), sh("[b, 3]")), -2).value());
        assertEquals("concat of [[a, 4], [a, 5]]: input 1 [a, 5] differs from input 0 [a, 4] at axis 1 (5 vs 4), which is not the "
                + "concat axis 0; slice or pad the inputs to agree", error(() -> RULES.concat(List.of(sh("[a, 4]"), sh("[a, 5]")), 0)));
        assertContains(error(() -> RULES.concat(List.of(sh("[a, 4]"), sh("[a]")), 0)), "input 1 [a] has rank 1", "input 0 [a, 4] has rank 2");
        assertContains(error(() -> RULES.concat(List.of(), 0)), "no inputs");
        assertContains(error(() -> RULES.concat(List.of(sh("[a]")), 1)), "concat: axis 1 is out of range");
        assertThrows(NullPointerException.class, () -> RULES.concat(Arrays.asList(sh("[a]"), null), 0));

        Guarded<SymShape> g = RULES.concat(List.of(sh("[s, 2]"), sh("[t, 3]")), 1);
        assertEquals(sh("[s, 5]"), g.value());
        assertEquals("s == t (concat of [[s, 2], [t, 3]] on axis 1, input 1 axis 0)", g.guards().get(0).toString());
        assertTrue(g.holds(bind(4, 4)));
        assertFalse(g.holds(bind(4, 5)));
    }

    @Test
    void split() {
        Guarded<List<SymShape>> proved = RULES.split(sh("[b, s + 4]"), 1, List.of(e("s"), e("4")));
        assertTrue(proved.unconditional());
        assertEquals(List.of(sh("[b, s]"), sh("[b, 4]")), proved.value());
        assertEquals("split: sizes [2, 3] sum to 5 but axis 0 of [6, 4] is 6; give sizes that sum to the dim",
                error(() -> RULES.split(sh("[6, 4]"), 0, List.of(e("2"), e("3")))));
        assertContains(error(() -> RULES.split(sh("[6]"), 0, List.of(e("-1"), e("7")))), "size -1 of part 0", "negative");
        assertContains(error(() -> RULES.split(sh("[6]"), 0, List.of())), "no sizes");
        Guarded<List<SymShape>> g = RULES.split(sh("[s]"), -1, List.of(e("t"), e("2")));
        assertEquals(List.of(sh("[t]"), sh("[2]")), g.value());
        assertEquals("t + 2 == s (split of [s], axis 0)", g.guards().get(0).toString());
        assertTrue(g.holds(bind(7, 5)));
        assertFalse(g.holds(bind(7, 4)));
        // A size that may be negative is guarded too.
        ShapeRules signed = rules(Facts.builder().range("t", -4, 4).build());
        assertEquals("0 <= t (split of [8], axis 0, part 0)", signed.split(sh("[8]"), 0, List.of(e("t"), e("8 - t"))).guards().get(0).toString());
    }

    @Test
    void splitEqual() {
        Guarded<List<SymShape>> proved = RULES.splitEqual(sh("[b, s * 6]"), 1, 3);
        assertTrue(proved.unconditional());
        assertEquals(List.of(sh("[b, s * 2]"), sh("[b, s * 2]"), sh("[b, s * 2]")), proved.value());
        assertEquals("splitEqual: axis 0 of [7, 4] is 7, which never divides into 2 equal parts; pad the axis or use split with explicit sizes",
                error(() -> RULES.splitEqual(sh("[7, 4]"), 0, 2)));
        assertContains(error(() -> RULES.splitEqual(sh("[s * 2 + 1]"), 0, 2)), "never divides");
        assertContains(error(() -> RULES.splitEqual(sh("[8]"), 0, 0)), "0 parts", "at least 1");
        Guarded<List<SymShape>> g = RULES.splitEqual(sh("[s]"), 0, 4);
        assertEquals(4, g.value().size());
        assertEquals(sh("[floor(s / 4)]"), g.value().get(0));
        assertEquals("s % 4 == 0 (splitEqual of [s] into 4 parts, axis 0)", g.guards().get(0).toString());
        assertTrue(g.holds(Bindings.of("s", 12)));
        assertArrayEquals(new long[] {3}, g.value().get(3).evaluate(Bindings.of("s", 12)));
        assertFalse(g.holds(Bindings.of("s", 13)));
        assertTrue(rules(Facts.builder().multipleOf("s", 8).build()).splitEqual(sh("[s]"), 0, 4).unconditional());
    }

    // ---------------------------------------------------------------- matmul

    @Test
    void matmulProved() {
        Guarded<SymShape> g = RULES.matmul(sh("[b, m, k]"), sh("[k, n]"), false, false);
        assertTrue(g.unconditional());
        assertEquals(sh("[b, m, n]"), g.value());
        assertEquals(sh("[b, h, m, n]"), RULES.matmul(sh("[b, 1, k, m]"), sh("[h, n, k]"), true, true).value());
        assertEquals(sh("[m, n]"), RULES.matmul(sh("[m, k]"), sh("[k, n]"), false, false).value());
    }

    @Test
    void matmulRefuted() {
        assertEquals("matmul: operand a [k] has rank 1 but matmul needs rank >= 2; reshape a vector to [1, k]",
                error(() -> RULES.matmul(sh("[k]"), sh("[k, n]"), false, false)));
        assertContains(error(() -> RULES.matmul(sh("[m, k]"), sh("[k]"), false, false)), "operand b [k] has rank 1", "reshape a vector to [1, k]");
        assertEquals("matmul: [m, 3] and [4, n] (transA = false, transB = false) contract axis 1 of a (3) with axis 0 of b (4), which "
                + "differ; transpose or reshape an operand so the contracted dims match",
                error(() -> RULES.matmul(sh("[m, 3]"), sh("[4, n]"), false, false)));
        assertEquals("matmul: [2, m, k] and [3, k, n] differ at batch axis 0 (2 vs 3) and neither is 1; reshape one operand or insert a broadcast",
                error(() -> RULES.matmul(sh("[2, m, k]"), sh("[3, k, n]"), false, false)));
    }

    @Test
    void matmulGuarded() {
        Guarded<SymShape> g = RULES.matmul(sh("[s, m, k]"), sh("[t, j, n]"), false, false);
        assertEquals(sh("[max(s, t) * min(s, t, 1), m, n]"), g.value());
        assertEquals(List.of("s == t || s == 1 || t == 1 (matmul of [s, m, k] and [t, j, n], batch axis 0)",
                "k == j (matmul of [s, m, k] and [t, j, n], contracted axis 2 of a and axis 1 of b)"),
                g.guards().stream().map(Guard::toString).toList());
        Bindings ok = Bindings.of(Map.of("s", 1L, "t", 5L, "m", 2L, "k", 3L, "j", 3L, "n", 4L));
        assertTrue(g.holds(ok));
        assertArrayEquals(new long[] {5, 2, 4}, g.value().evaluate(ok));
        assertFalse(g.holds(ok.with("j", 4)));
        assertFalse(g.holds(ok.with("s", 2)));
        assertThrows(ShapeException.class, () -> g.check(ok.with("j", 4)));
        assertTrue(rules(Facts.builder().equal("k", "j").build()).matmul(sh("[m, k]"), sh("[j, n]"), false, false).unconditional());
    }

    @Test
    void rejectsNulls() {
        assertThrows(NullPointerException.class, () -> new ShapeRules(null));
        assertThrows(NullPointerException.class, () -> RULES.broadcast(null, sh("[1]")));
        assertThrows(NullPointerException.class, () -> RULES.permute(sh("[1]"), null));
        assertThrows(NullPointerException.class, () -> RULES.slice(sh("[1]"), 0, null, e("1"), 1));
        assertThrows(NullPointerException.class, () -> RULES.split(sh("[1]"), 0, null));
        assertThrows(NullPointerException.class, () -> RULES.splitEqual(null, 0, 1));
        assertThrows(NullPointerException.class, () -> RULES.matmul(sh("[1, 1]"), null, false, false));
        assertThrows(NullPointerException.class, () -> RULES.concat(null, 0));
    }

    // ---------------------------------------------------------------- randomized comparison with concrete arithmetic

    private static final String[] POOL = {"1", "1", "2", "3", "s", "t", "u", "s * 2", "t + 1", "s", "t"};
    private static final int CASES = 300, BINDINGS = 6;

    /** With no facts, symbols in [0, 4]; with facts, s in [2, 5], t even, u in [0, 4]. */
    private static Bindings randomBindings(SplittableRandom r, boolean facts) {
        return facts ? Bindings.of(Map.of("s", r.nextLong(2, 6), "t", 2 * r.nextLong(0, 3), "u", r.nextLong(0, 5)))
                : Bindings.of(Map.of("s", r.nextLong(0, 5), "t", r.nextLong(0, 5), "u", r.nextLong(0, 5)));
    }

    private static SymShape randomShape(SplittableRandom r, int minRank, int maxRank) {
        SymInt[] dims = new SymInt[r.nextInt(minRank, maxRank + 1)];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = e(POOL[r.nextInt(POOL.length)]);
        }
        return SymShape.of(dims);
    }

    /**
     * Runs {@code rule}; under random bindings checks that the guards hold exactly when {@code
     * concrete} (NumPy-style arithmetic on the evaluated inputs) is legal, and that the evaluated
     * result equals the concrete one. A refuted rule must be illegal at every binding.
     */
    private static <T> void compare(SplittableRandom r, boolean facts, Supplier<Guarded<T>> rule, Function<Bindings, List<long[]>> concrete,
            Function<T, List<SymShape>> shapes, String what) {
        Guarded<T> g;
        try {
            g = rule.get();
        } catch (ShapeException refuted) {
            for (int i = 0; i < BINDINGS; i++) {
                Bindings b = randomBindings(r, facts);
                assertNull(concrete.apply(b), () -> what + " refuted (" + refuted.getMessage() + ") but legal at " + b);
            }
            return;
        }
        for (int i = 0; i < BINDINGS; i++) {
            Bindings b = randomBindings(r, facts);
            List<long[]> expected = concrete.apply(b);
            boolean holds = g.holds(b);
            assertEquals(expected != null, holds, () -> what + " guards " + g.guards() + " at " + b);
            if (holds) {
                List<SymShape> out = shapes.apply(g.value());
                assertEquals(expected.size(), out.size(), what);
                for (int k = 0; k < out.size(); k++) {
                    assertArrayEquals(expected.get(k), out.get(k).evaluate(b), what + " -> " + out + " at " + b);
                }
            }
        }
    }

    private static long[] concreteBroadcast(long[] a, int na, long[] b, int nb) {
        int n = Math.max(na, nb);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long x = i - (n - na) >= 0 ? a[i - (n - na)] : 1, y = i - (n - nb) >= 0 ? b[i - (n - nb)] : 1;
            if (x != y && x != 1 && y != 1) {
                return null;
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    private static long product(long[] dims) {
        long p = 1;
        for (long d : dims) {
            p *= d;
        }
        return p;
    }

    @Test
    void randomizedAgainstConcreteArithmetic() {
        SplittableRandom r = new SplittableRandom(20240611);
        Facts facts = Facts.builder().range("s", 2, 5).multipleOf("t", 2).range("t", 0, 4).range("u", 0, 4).build();
        for (int c = 0; c < CASES; c++) {
            boolean withFacts = r.nextBoolean();
            ShapeRules rules = withFacts ? rules(facts) : RULES;
            SymShape a = randomShape(r, 0, 3), b = r.nextInt(3) == 0 ? a : randomShape(r, 0, 3);
            String what = "case " + c + " " + a + " " + b;
            compare(r, withFacts, () -> rules.broadcast(a, b),
                    x -> wrap(concreteBroadcast(a.evaluate(x), a.rank(), b.evaluate(x), b.rank())), List::of, "broadcast " + what);

            SymShape ma = randomShape(r, 2, 4), mb = randomShape(r, 2, 4);
            boolean ta = r.nextBoolean(), tb = r.nextBoolean();
            compare(r, withFacts, () -> rules.matmul(ma, mb, ta, tb), x -> {
                long[] av = ma.evaluate(x), bv = mb.evaluate(x);
                int ra = av.length, rb = bv.length;
                long ka = av[ta ? ra - 2 : ra - 1], kb = bv[tb ? rb - 1 : rb - 2];
                long[] batch = concreteBroadcast(av, ra - 2, bv, rb - 2);
                if (batch == null || ka != kb) {
                    return null;
                }
                long[] out = Arrays.copyOf(batch, batch.length + 2);
                out[batch.length] = av[ta ? ra - 1 : ra - 2];
                out[batch.length + 1] = bv[tb ? rb - 2 : rb - 1];
                return List.of(out);
            }, List::of, "matmul " + ma + " " + mb + " " + ta + " " + tb);

            SymShape ra = randomShape(r, 1, 3);
            SymShape target = randomTarget(r, ra);
            compare(r, withFacts, () -> rules.reshape(ra, target), x -> wrap(concreteReshape(ra.evaluate(x), target.evaluate(x))),
                    List::of, "reshape " + ra + " " + target);

            SymShape sa = randomShape(r, 1, 3);
            int axis = r.nextInt(sa.rank());
            SymInt start = e(POOL[r.nextInt(POOL.length)]).minus(r.nextInt(3)), end = e(POOL[r.nextInt(POOL.length)]).plus(r.nextInt(2));
            long step = r.nextLong(1, 4);
            compare(r, withFacts, () -> rules.slice(sa, axis, start, end, step), x -> {
                long[] d = sa.evaluate(x);
                long s0 = start.evaluate(x), e0 = end.evaluate(x);
                if (s0 < 0 || s0 > e0 || e0 > d[axis]) {
                    return null;
                }
                d[axis] = (e0 - s0 + step - 1) / step;
                return List.of(d);
            }, List::of, "slice " + sa + " " + axis + " " + start + " " + end + " " + step);

            List<SymShape> inputs = new ArrayList<>();
            inputs.add(randomShape(r, 1, 3));
            for (int n = r.nextInt(1, 3); n > 0; n--) {
                SymInt[] dims = inputs.get(0).dims().toArray(new SymInt[0]);
                dims[r.nextInt(dims.length)] = e(POOL[r.nextInt(POOL.length)]);
                inputs.add(SymShape.of(dims));
            }
            int cat = r.nextInt(inputs.get(0).rank());
            compare(r, withFacts, () -> rules.concat(inputs, cat), x -> {
                long[] out = inputs.get(0).evaluate(x);
                for (SymShape in : inputs.subList(1, inputs.size())) {
                    long[] d = in.evaluate(x);
                    for (int j = 0; j < d.length; j++) {
                        if (j != cat && d[j] != out[j]) {
                            return null;
                        }
                    }
                    out[cat] += d[cat];
                }
                return List.of(out);
            }, List::of, "concat " + inputs + " " + cat);

            SymShape pa = randomShape(r, 1, 3);
            int pax = r.nextInt(pa.rank());
            List<SymInt> sizes = new ArrayList<>();
            for (int n = r.nextInt(1, 4); n > 0; n--) {
                sizes.add(e(POOL[r.nextInt(POOL.length)]));
            }
            compare(r, withFacts, () -> rules.split(pa, pax, sizes), x -> {
                long[] d = pa.evaluate(x);
                long sum = 0;
                List<long[]> out = new ArrayList<>();
                for (SymInt size : sizes) {
                    long v = size.evaluate(x);
                    sum += v;
                    long[] part = d.clone();
                    part[pax] = v;
                    out.add(part);
                }
                return sum == d[pax] ? out : null;
            }, list -> list, "split " + pa + " " + pax + " " + sizes);

            int parts = r.nextInt(1, 5);
            compare(r, withFacts, () -> rules.splitEqual(pa, pax, parts), x -> {
                long[] d = pa.evaluate(x);
                if (d[pax] % parts != 0) {
                    return null;
                }
                d[pax] /= parts;
                List<long[]> out = new ArrayList<>();
                for (int k = 0; k < parts; k++) {
                    out.add(d);
                }
                return out;
            }, list -> list, "splitEqual " + pa + " " + pax + " " + parts);

            int[] perm = randomPermutation(r, pa.rank());
            boolean keep = r.nextBoolean();
            compare(r, withFacts, () -> rules.permute(pa, perm), x -> {
                long[] d = pa.evaluate(x), out = new long[d.length];
                for (int k = 0; k < d.length; k++) {
                    out[k] = d[perm[k]];
                }
                return List.of(out);
            }, List::of, "permute " + pa + " " + Arrays.toString(perm));
            compare(r, withFacts, () -> rules.reduce(pa, new int[] {pax - pa.rank()}, keep), x -> {
                long[] d = pa.evaluate(x);
                if (keep) {
                    d[pax] = 1;
                    return List.of(d);
                }
                long[] out = new long[d.length - 1];
                for (int k = 0, j = 0; k < d.length; k++) {
                    if (k != pax) {
                        out[j++] = d[k];
                    }
                }
                return List.of(out);
            }, List::of, "reduce " + pa + " " + pax + " " + keep);
        }
    }

    private static List<long[]> wrap(long[] shape) {
        return shape == null ? null : List.of(shape);
    }

    /** A reshape target: often a permutation of {@code a}'s dims, with one dim sometimes -1. */
    private static SymShape randomTarget(SplittableRandom r, SymShape a) {
        List<SymInt> dims = new ArrayList<>(r.nextBoolean() ? a.dims() : randomShape(r, 1, 3).dims());
        java.util.Collections.shuffle(dims, new java.util.Random(r.nextLong()));
        if (r.nextBoolean()) {
            dims.set(r.nextInt(dims.size()), SymInt.of(-1));
        }
        return SymShape.of(dims);
    }

    private static long[] concreteReshape(long[] a, long[] target) {
        long numel = product(a), known = 1;
        int inferred = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                inferred = i;
            } else {
                known *= target[i];
            }
        }
        if (inferred < 0) {
            return numel == known ? target : null;
        }
        if (known == 0 || numel % known != 0) {
            return null;
        }
        long[] out = target.clone();
        out[inferred] = numel / known;
        return out;
    }

    private static int[] randomPermutation(SplittableRandom r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Test
    void identicalShapesTakeTheFastPath() {
        SymShape a = sh("[b, s, h, d]"), b = sh("[b, s, h, d]");
        assertSame(a, RULES.broadcast(a, b).value());
        assertSame(List.of(), RULES.broadcast(a, b).guards());
    }
}
