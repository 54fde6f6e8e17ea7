package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class KernelBuilderTest {
    private static void assertMessage(String expected, Runnable r) {
        DvmException e = assertThrows(DvmException.class, r::run);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }

    /** The graph node a value stands for. */
    private static Node node(Value v) {
        return v.node;
    }

    private static void assertOperandsHave(Node n, DType dtype) {
        for (Node in : n.inputs()) {
            assertEquals(dtype, in.dtype(), () -> n + " operand " + in);
        }
    }

    @Test
    void tensorTensorPromotionFollowsDTypePromote() {
        for (DType a : DType.values()) {
            for (DType b : DType.values()) {
                KernelBuilder kb = new KernelBuilder("promote");
                Value x = kb.input(a, 4);
                Value y = kb.input(b, 4);
                DType expected = DType.promote(a, b);
                Value max = kb.maximum(x, y);
                assertEquals(expected, max.dtype(), a + " max " + b);
                assertOperandsHave(node(max), expected);
                Value lt = kb.less(x, y);
                assertEquals(DType.BOOL, lt.dtype());
                assertOperandsHave(node(lt), expected);
                Value sum = kb.add(x, y);
                assertEquals(expected, sum.dtype());
                Value q = kb.div(x, y);
                assertEquals(expected.isFloat() ? expected : DType.F32, q.dtype(), a + " div " + b);
                assertOperandsHave(node(q), q.dtype());
            }
        }
    }

    @Test
    void promotionTableSpotChecks() {
        assertEquals(DType.F32, DType.promote(DType.F16, DType.BF16));
        assertEquals(DType.F16, DType.promote(DType.I64, DType.F16));
        assertEquals(DType.I64, DType.promote(DType.I32, DType.I64));
        assertEquals(DType.I32, DType.promote(DType.BOOL, DType.I32));
    }

    private record ScalarCase(DType tensor, boolean isDouble, DType expected) {}

    @Test
    void scalarTakesTheTensorsDtypeWithTwoExceptions() {
        List<ScalarCase> cases = List.of(
                new ScalarCase(DType.F32, true, DType.F32), new ScalarCase(DType.F16, true, DType.F16),
                new ScalarCase(DType.BF16, true, DType.BF16), new ScalarCase(DType.I32, true, DType.F32),
                new ScalarCase(DType.I64, true, DType.F32), new ScalarCase(DType.BOOL, true, DType.F32),
                new ScalarCase(DType.F32, false, DType.F32), new ScalarCase(DType.F16, false, DType.F16),
                new ScalarCase(DType.I32, false, DType.I32), new ScalarCase(DType.I64, false, DType.I64),
                new ScalarCase(DType.BOOL, false, DType.I32));
        for (ScalarCase c : cases) {
            KernelBuilder kb = new KernelBuilder("scalar");
            Value x = kb.input(c.tensor(), 3);
            Value left = c.isDouble() ? kb.mul(2.0, x) : kb.mul(2L, x);
            Value right = c.isDouble() ? kb.maximum(x, 2.0) : kb.maximum(x, 2L);
            for (Value v : new Value[] {left, right}) {
                assertEquals(c.expected(), v.dtype(), c.toString());
                assertOperandsHave(node(v), c.expected());
            }
            assertEquals(Op.CONST, node(left).input(0).op(), "scalar on the left stays on the left");
            assertEquals(Op.CONST, node(right).input(1).op());
            Attrs.Scalar s = (Attrs.Scalar) node(right).input(1).attrs();
            assertEquals(2.0, s.asDouble());
            assertEquals(2L, s.asLong());
        }
    }

    @Test
    void scalarsAreRoundedToTheComputeDtype() {
        KernelBuilder kb = new KernelBuilder("round");
        Value h = kb.input(DType.F16, 3);
        Value b = kb.input(DType.BF16, 3);
        Value i = kb.input(DType.I32, 3);
        assertEquals(Halfs.round(0.1f, DType.F16), ((Attrs.Scalar) node(kb.add(h, 0.1)).input(1).attrs()).asDouble());
        assertEquals(Halfs.round(0.1f, DType.BF16), ((Attrs.Scalar) node(kb.add(b, 0.1)).input(1).attrs()).asDouble());
        assertEquals((double) 0.1f, ((Attrs.Scalar) node(kb.add(i, 0.1)).input(1).attrs()).asDouble());
        assertMessage("add: scalar 4294967296 does not fit the I32 operand; cast the tensor to I64 first", () -> kb.add(i, 1L << 32));
    }

    @Test
    void comparesAndLogicalOpsReturnBool() {
        KernelBuilder kb = new KernelBuilder("cmp");
        Value x = kb.input(DType.F16, 3);
        Value y = kb.input(DType.I32, 3);
        List<BiFunction<Value, Value, Value>> ops = List.of(kb::equal, kb::notEqual, kb::greater, kb::greaterEqual, kb::less,
                kb::lessEqual, kb::logicalAnd, kb::logicalOr);
        for (BiFunction<Value, Value, Value> op : ops) {
            Value v = op.apply(x, y);
            assertEquals(DType.BOOL, v.dtype());
            assertOperandsHave(node(v), DType.F16);
        }
        assertEquals(DType.BOOL, kb.logicalNot(y).dtype());
        assertEquals(DType.BOOL, kb.greater(y, 1.5).dtype());
        assertEquals(DType.F32, node(kb.greater(y, 1.5)).input(0).dtype());
    }

    @Test
    void floatOnlyUnaryOpsCastIntegersToF32() {
        KernelBuilder kb = new KernelBuilder("unary");
        Value i = kb.input(DType.I64, 3);
        Value h = kb.input(DType.F16, 3);
        List<java.util.function.Function<Value, Value>> ops = List.of(kb::sqrt, kb::rsqrt, kb::log, kb::exp, kb::reciprocal, kb::tanh,
                kb::sigmoid, kb::erf, kb::sin, kb::cos);
        for (var op : ops) {
            Value v = op.apply(i);
            assertEquals(DType.F32, v.dtype());
            assertEquals(Op.CAST, node(v).input(0).op());
            Value f = op.apply(h);
            assertEquals(DType.F16, f.dtype(), "F16 stays F16 (computed in F32 by the VM)");
            assertSame(h.node, node(f).input(0));
        }
    }

    @Test
    void absAndNegOfBoolAreI32() {
        KernelBuilder kb = new KernelBuilder("absneg");
        Value b = kb.input(DType.BOOL, 3);
        Value i = kb.input(DType.I64, 3);
        assertEquals(DType.I32, kb.abs(b).dtype());
        assertEquals(DType.I32, kb.neg(b).dtype());
        assertEquals(DType.I64, kb.neg(i).dtype());
    }

    @Test
    void roundingOfIntegersIsIdentityAndIsFiniteIsConstantTrue() {
        KernelBuilder kb = new KernelBuilder("rounding");
        Value i = kb.input(DType.I32, -1, 3);
        Value f = kb.input(DType.F32, 3);
        assertSame(i, kb.round(i));
        assertSame(i, kb.floor(i));
        assertSame(i, kb.ceil(i));
        assertSame(i, kb.trunc(i));
        assertEquals(Op.FLOOR, node(kb.floor(f)).op());
        Value fin = kb.isFinite(i);
        assertEquals(DType.BOOL, fin.dtype());
        assertEquals(2, fin.rank());
        assertEquals(Op.BROADCAST, node(fin).op());
        assertEquals(Op.CONST, node(fin).input(0).op());
        assertEquals(1L, ((Attrs.Scalar) node(fin).input(0).attrs()).asLong());
        assertSame(i.node, node(fin).input(1));
        assertEquals(Op.ISFINITE, node(kb.isFinite(f)).op());
    }

    @Test
    void boolArithmeticComputesInI32AndCastsBack() {
        KernelBuilder kb = new KernelBuilder("booladd");
        Value a = kb.input(DType.BOOL, 3);
        Value sum = kb.add(a, a);
        assertEquals(DType.BOOL, sum.dtype());
        assertEquals(Op.CAST, node(sum).op());
        assertEquals(Op.ADD, node(sum).input(0).op());
        assertOperandsHave(node(sum).input(0), DType.I32);
        assertEquals(DType.BOOL, kb.maximum(a, a).dtype());
    }

    @Test
    void selectConcatReduceOneHotDtypes() {
        KernelBuilder kb = new KernelBuilder("other");
        Value c = kb.input(DType.F32, 3);
        Value a = kb.input(DType.I32, 3);
        Value h = kb.input(DType.F16, 2, 3);
        Value s = kb.select(c, a, h);
        assertEquals(DType.F16, s.dtype());
        assertEquals(2, s.rank());
        assertEquals(DType.BOOL, node(s).input(0).dtype());
        assertEquals(DType.F16, node(s).input(1).dtype());
        assertEquals(DType.F16, node(s).input(2).dtype());

        Value cat = kb.concat(0, a, c);
        assertEquals(DType.F32, cat.dtype());
        assertOperandsHave(node(cat), DType.F32);

        Value b = kb.input(DType.BOOL, 4, 5);
        Value bs = kb.reduceSum(b, false, 1);
        assertEquals(DType.I32, bs.dtype());
        assertEquals(1, bs.rank());
        Value hs = kb.reduceSum(h, true);
        assertEquals(DType.F16, hs.dtype());
        assertEquals(2, hs.rank());
        assertEquals(Op.CAST, node(hs).op());
        assertEquals(Op.REDUCE_SUM, node(hs).input(0).op());
        assertEquals(DType.F32, node(hs).input(0).dtype());
        assertEquals(DType.F16, kb.reduceMax(h, false, -1).dtype());
        assertEquals(DType.BOOL, kb.elemAny(h).dtype());
        assertEquals(0, kb.elemAny(h).rank());

        Value oh = kb.oneHot(a, 10, 1, 0, DType.BF16);
        assertEquals(DType.BF16, oh.dtype());
        assertEquals(2, oh.rank());
        assertMessage("oneHot: indices are F32; they must be I32 or I64", () -> kb.oneHot(c, 10, 1, 0, DType.F32));
        assertMessage("oneHot: value 0.5 is not representable in I32", () -> kb.oneHot(a, 10, 0.5, 0, DType.I32));
        assertEquals(DType.I64, kb.fill(3, DType.I64, h).dtype());
    }

    @Test
    void reduceAxesAreNormalisedAndSorted() {
        KernelBuilder kb = new KernelBuilder("axes");
        Value x = kb.input(DType.F32, 2, 3, 4);
        Attrs.Reduce r = (Attrs.Reduce) node(kb.reduceMin(x, false, -1, 0)).attrs();
        assertArrayEquals(new int[] {0, 2}, r.axes());
        assertMessage("reduceSum: axes [1, -2] name axis 1 twice for a rank-3 value; give each axis once", () -> kb.reduceSum(x, false, 1, -2));
        assertMessage("reduceMax: axis 3 out of range for a rank-3 value; axis must be in [-3, 3)", () -> kb.reduceMax(x, true, 3));
    }

    @Test
    void layoutOpErrors() {
        KernelBuilder kb = new KernelBuilder("layout");
        Value x = kb.input(DType.F32, 2, 3);
        assertMessage("permute: [0, 0] for a rank-2 value is not a permutation", () -> kb.permute(x, 0, 0));
        assertArrayEquals(new int[] {1, 0}, ((Attrs.Axes) node(kb.permute(x, -1, 0)).attrs()).axes());
        assertMessage("slice: begin [0], end [1, 1] and step [1, 1] must each have one entry per axis of the rank-2 value",
                () -> kb.slice(x, new long[] {0}, new long[] {1, 1}, new long[] {1, 1}));
        assertMessage("steps must be >= 1", () -> kb.slice(x, new long[2], new long[] {1, 1}, new long[] {1, 0}));
        assertMessage("reshape: target [-1, -1] has more than one -1", () -> kb.reshape(x, -1, -1));
        assertMessage("has 0 (copy x's dim) at index 2 but x has rank 2", () -> kb.reshape(x, 1, 1, 0));
        assertMessage("reshape: target [-3] has -3", () -> kb.reshape(x, -3));
        assertMessage("broadcast: target [-1, 2, 3] for a rank-2 value has -1 at index 0", () -> kb.broadcast(x, -1, 2, 3));
        assertMessage("broadcast: cannot broadcast a rank-2 value to [3]", () -> kb.broadcast(x, 3));
        assertMessage("broadcastLike: cannot broadcast a rank-2 value to the shape of a rank-1 value", () -> kb.broadcastLike(x, kb.input(DType.F32, 3)));
        assertMessage("concat: input 1 has rank 1 but input 0 has rank 2", () -> kb.concat(0, x, kb.input(DType.F32, 3)));
        assertMessage("concat: axis 2 out of range for a rank-2 value", () -> kb.concat(2, x, x));
        assertMessage("concat: no inputs", () -> kb.concat(0));
        assertMessage("split: sizes [-1, -1] are invalid", () -> kb.split(x, 1, -1, -1));
        assertMessage("split: 0 parts", () -> kb.split(x, 1, 0));
        assertEquals(3, kb.split(x, -1, 3).length);
        assertMessage("input: dims [2, -2] of input", () -> kb.input(DType.F32, 2, -2));
    }

    @Test
    void valuesBelongToTheirBuilder() {
        KernelBuilder a = new KernelBuilder("a");
        KernelBuilder b = new KernelBuilder("b");
        Value x = a.input(DType.F32, 3);
        Value y = b.input(DType.F32, 3);
        assertMessage("add: operand 1 (%0 = input() : f32) was built by kernel 'b', not 'a'", () -> a.add(x, y));
        assertMessage("was built by kernel 'a', not 'b'", () -> b.exp(x));
    }

    @Test
    void buildFreezesTheBuilder() {
        KernelBuilder kb = new KernelBuilder("k");
        assertMessage("build: kernel 'k' has no outputs", kb::build);
        Value x = kb.input(DType.F32, 3);
        assertEquals(0, kb.output(kb.exp(x)));
        assertEquals(1, kb.output(x));
        Kernel k = kb.build();
        assertEquals(2, k.outputCount());
        assertEquals(KernelType.VECTOR, k.type());
        assertThrows(IllegalStateException.class, () -> kb.add(x, x));
        assertThrows(IllegalStateException.class, () -> kb.input(DType.F32));
        assertThrows(IllegalStateException.class, kb::build);
        assertThrows(UnsupportedOperationException.class, () -> k.graph.nodes().add(null));
    }

    @Test
    void nodesAreInTopologicalOrderAndDumped() {
        KernelBuilder kb = new KernelBuilder("add_relu");
        Value x = kb.input(DType.F32, -1, 4096);
        Value y = kb.input(DType.F16, 4096);
        kb.output(kb.maximum(kb.add(x, y), 0.0));
        Kernel k = kb.build();
        List<Node> nodes = k.graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            assertEquals(i, nodes.get(i).id());
            for (Node in : nodes.get(i).inputs()) {
                assertTrue(in.id() < i);
            }
        }
        String dump = k.dump();
        assertTrue(dump.startsWith("kernel 'add_relu' (vector)\n"), dump);
        assertTrue(dump.contains("  input 0: %0 f32 [-1, 4096]\n"), dump);
        assertTrue(dump.contains("%2 = cast(%1) : f32\n"), dump);
        assertTrue(dump.contains("%3 = add(%0, %2) : f32\n"), dump);
        assertTrue(dump.contains("%4 = const() : f32 [value=0]\n"), dump);
        assertTrue(dump.contains("= store(%5) : f32 [output=0]"), dump);
        assertTrue(dump.contains("  output 0 (slot 2): %5 f32"), dump);
    }

    @Test
    void everyBinaryOverloadBuildsItsOp() {
        KernelBuilder kb = new KernelBuilder("overloads");
        Value x = kb.input(DType.F32, 3);
        Value[] vs = {
            kb.sub(x, 1.0), kb.sub(1.0, x), kb.sub(x, 1L), kb.sub(1L, x), kb.pow(x, x), kb.pow(x, 2L), kb.minimum(2.0, x),
            kb.notEqual(1L, x), kb.greaterEqual(x, 0.0), kb.lessEqual(0L, x), kb.logicalOr(x, 1L), kb.logicalAnd(0.0, x),
            kb.equal(x, 1L), kb.mul(x, x), kb.div(1L, x)
        };
        Op[] expected = {Op.SUB, Op.SUB, Op.SUB, Op.SUB, Op.POW, Op.POW, Op.MINIMUM, Op.NOT_EQUAL, Op.GREATER_EQUAL, Op.LESS_EQUAL,
            Op.LOGICAL_OR, Op.LOGICAL_AND, Op.EQUAL, Op.MUL, Op.DIV};
        for (int i = 0; i < vs.length; i++) {
            assertEquals(expected[i], node(vs[i]).op());
        }
    }
}
