package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.ir.Instance;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {
    private static void assertMessage(String expected, Runnable r) {
        DvmException e = assertThrows(DvmException.class, r::run);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }

    private static long[] s(long... dims) {
        return dims;
    }

    /** Builds a one-output kernel and returns the shapes inferred for the given inputs. */
    private static Instance infer(KernelBuilder kb, Value out, long[]... shapes) {
        kb.output(out);
        return ShapeInference.infer(kb.build().graph, shapes, null, null, null);
    }

    private static long[] outShape(Instance inst) {
        return inst.shape(inst.graph().outputs().get(0));
    }

    @Test
    void numpyBroadcasting() {
        KernelBuilder kb = new KernelBuilder("bc");
        Value x = kb.input(DType.F32, -1, 1, 4);
        Value y = kb.input(DType.F32, 3, 1);
        Instance inst = infer(kb, kb.mul(kb.add(x, y), 2.0), s(5, 1, 4), s(3, 1));
        assertArrayEquals(s(5, 3, 4), outShape(inst));
    }

    @Test
    void broadcastReturnsTheOperandEqualToTheResultElseANewShape() {
        long[] full = s(3, 4);
        long[] row = s(1, 4);
        long[] vector = s(4);
        assertSame(full, ShapeInference.broadcast(null, full, row, "bc"));
        assertSame(full, ShapeInference.broadcast(null, row, full, "bc"));
        assertSame(full, ShapeInference.broadcast(null, vector, full, "bc"));
        assertSame(row, ShapeInference.broadcast(null, vector, row, "bc"));
        assertArrayEquals(s(3, 4), ShapeInference.broadcast(null, s(3, 1), row, "bc"));
        assertArrayEquals(s(2, 3, 1), ShapeInference.broadcast(null, s(2, 1, 1), s(3, 1), "bc"));
        assertArrayEquals(s(5, 1, 4), ShapeInference.broadcast(null, s(5, 1, 1), vector, "bc"));
        // the operands are read, never written
        assertArrayEquals(s(3, 4), full);
        assertArrayEquals(s(1, 4), row);
    }

    @Test
    void broadcastErrorNamesOpShapesAndDim() {
        KernelBuilder kb = new KernelBuilder("gelu");
        Value x = kb.input(DType.F32, -1, 4096);
        Value y = kb.input(DType.F32, -1);
        kb.output(kb.add(x, y));
        Kernel k = kb.build();
        assertMessage("add: shapes [7, 4096] and [4095] do not broadcast: dim -1 is 4096 vs 4095; make them equal or 1",
                () -> ShapeInference.infer(k.graph, new long[][] {s(7, 4096), s(4095)}, null, null, null));
    }

    @Test
    void selectBroadcastsAllThree() {
        KernelBuilder kb = new KernelBuilder("sel");
        Value c = kb.input(DType.BOOL, -1, 1);
        Value a = kb.input(DType.F32, -1);
        Value b = kb.input(DType.F32, 1);
        assertArrayEquals(s(2, 6), outShape(infer(kb, kb.select(c, a, b), s(2, 1), s(6), s(1))));
    }

    @Test
    void declaredDimsAndRanksAreChecked() {
        KernelBuilder kb = new KernelBuilder("decl");
        Value x = kb.input(DType.F32, -1, 4096);
        kb.output(kb.exp(x));
        Kernel k = kb.build();
        assertMessage("kernel 'decl' input 0: shape [8, 4095] does not match the declared dims [-1, 4096]: dim 1 is 4095 but must be 4096",
                () -> ShapeInference.infer(k.graph, new long[][] {s(8, 4095)}, null, null, null));
        assertMessage("kernel 'decl' input 0: shape [4096] has rank 1 but the input was declared [-1, 4096] (rank 2)",
                () -> ShapeInference.infer(k.graph, new long[][] {s(4096)}, null, null, null));
        assertMessage("2 input shapes given but the kernel has 1 inputs",
                () -> ShapeInference.infer(k.graph, new long[][] {s(1, 4096), s(1, 4096)}, null, null, null));
        assertMessage("negative dim", () -> ShapeInference.infer(k.graph, new long[][] {s(-5, 4096)}, null, null, null));
    }

    @Test
    void reduceWithAndWithoutKeepDims() {
        KernelBuilder kb = new KernelBuilder("red");
        Value x = kb.input(DType.F32, -1, -1, -1);
        Value keep = kb.reduceSum(x, true, 0, 2);
        Value drop = kb.reduceMax(x, false, 1);
        Value all = kb.reduceMin(x, false);
        Value any = kb.elemAny(x);
        kb.output(keep);
        kb.output(drop);
        kb.output(all);
        kb.output(any);
        Instance inst = ShapeInference.infer(kb.build().graph, new long[][] {s(2, 3, 4)}, null, null, null);
        assertArrayEquals(s(1, 3, 1), inst.shape(keep.node));
        assertArrayEquals(s(2, 4), inst.shape(drop.node));
        assertArrayEquals(s(), inst.shape(all.node));
        assertArrayEquals(s(), inst.shape(any.node));
    }

    @Test
    void reshapeInfersOneDimCopiesZerosAndChecksCounts() {
        KernelBuilder kb = new KernelBuilder("rs");
        Value x = kb.input(DType.F32, -1, -1);
        Value r = kb.reshape(x, 0, -1, 2);
        kb.output(r);
        Kernel k = kb.build();
        Instance inst = ShapeInference.infer(k.graph, new long[][] {s(3, 8)}, null, null, null);
        assertArrayEquals(s(3, 4, 2), inst.shape(r.node));
        assertMessage("reshape: cannot infer the -1 in [3, -1, 2] for shape [3, 5]",
                () -> ShapeInference.infer(k.graph, new long[][] {s(3, 5)}, null, null, null));

        KernelBuilder kb2 = new KernelBuilder("rs2");
        Value y = kb2.input(DType.F32, -1);
        kb2.output(kb2.reshape(y, 2, 3));
        Kernel k2 = kb2.build();
        assertMessage("reshape: shape [7] (7 elements) cannot become [2, 3] (6 elements); the element counts must be equal",
                () -> ShapeInference.infer(k2.graph, new long[][] {s(7)}, null, null, null));
    }

    @Test
    void permuteAndPythonSliceClamping() {
        KernelBuilder kb = new KernelBuilder("sl");
        Value x = kb.input(DType.F32, -1, -1, -1);
        Value p = kb.permute(x, 2, 0, 1);
        Value sl = kb.slice(x, s(-100, 1, -3), s(Long.MAX_VALUE, -1, 100), s(1, 2, 2));
        Value empty = kb.slice(x, s(5, 0, 0), s(2, 1, 1), s(1, 1, 1));
        kb.output(p);
        kb.output(sl);
        kb.output(empty);
        Instance inst = ShapeInference.infer(kb.build().graph, new long[][] {s(2, 6, 10)}, null, null, null);
        assertArrayEquals(s(10, 2, 6), inst.shape(p.node));
        assertArrayEquals(s(2, 2, 2), inst.shape(sl.node)); // axis 1: 1, 3 of [1, 5); axis 2: 7, 9
        assertArrayEquals(s(0, 1, 1), inst.shape(empty.node));
    }

    @Test
    void concatSumsTheAxisAndChecksTheRest() {
        KernelBuilder kb = new KernelBuilder("cat");
        Value a = kb.input(DType.F32, -1, -1);
        Value b = kb.input(DType.I32, -1, -1);
        kb.output(kb.concat(-1, a, b, a));
        Kernel k = kb.build();
        Instance inst = ShapeInference.infer(k.graph, new long[][] {s(2, 3), s(2, 5)}, null, null, null);
        assertArrayEquals(s(2, 11), outShape(inst));
        assertMessage("concat: input 1 has shape [4, 5] but input 0 has [2, 3]: dim 0 differs (4 vs 2); all dims but axis 1 must be equal",
                () -> ShapeInference.infer(k.graph, new long[][] {s(2, 3), s(4, 5)}, null, null, null));
    }

    @Test
    void splitBySizesAndParts() {
        KernelBuilder kb = new KernelBuilder("split");
        Value x = kb.input(DType.F32, -1, -1);
        Value[] bySizes = kb.split(x, 1, 2, -1, 3);
        Value[] byParts = kb.split(x, 0, 2);
        for (Value v : bySizes) {
            kb.output(v);
        }
        kb.output(byParts[1]);
        Kernel k = kb.build();
        Instance inst = ShapeInference.infer(k.graph, new long[][] {s(4, 10)}, null, null, null);
        assertArrayEquals(s(4, 2), inst.shape(bySizes[0].node));
        assertArrayEquals(s(4, 5), inst.shape(bySizes[1].node));
        assertArrayEquals(s(4, 3), inst.shape(bySizes[2].node));
        assertArrayEquals(s(2, 10), inst.shape(byParts[1].node));
        assertMessage("split: sizes [2, -1, 3] exceed axis 1 of shape [3, 4] (4)",
                () -> ShapeInference.infer(k.graph, new long[][] {s(3, 4)}, null, null, null));
        assertMessage("split: axis 0 of shape [3, 10] is 3, which 2 equal parts do not divide",
                () -> ShapeInference.infer(k.graph, new long[][] {s(3, 10)}, null, null, null));
    }

    @Test
    void oneHotAppendsDepthAndBroadcastTargetsResolve() {
        KernelBuilder kb = new KernelBuilder("oh");
        Value i = kb.input(DType.I32, -1);
        Value x = kb.input(DType.F32, -1, 1);
        Value oh = kb.oneHot(i, 7, 1, 0, DType.F32);
        Value bc = kb.broadcast(x, 2, -1, 5);
        Value like = kb.broadcastLike(i, oh);
        Value fill = kb.fill(1.5, DType.F16, oh);
        Value fin = kb.isFinite(i);
        for (Value v : new Value[] {oh, bc, like, fill, fin}) {
            kb.output(v);
        }
        Kernel k = kb.build();
        Instance inst = ShapeInference.infer(k.graph, new long[][] {s(7), s(3, 1)}, null, null, null);
        assertArrayEquals(s(7, 7), inst.shape(oh.node));
        assertArrayEquals(s(2, 3, 5), inst.shape(bc.node));
        assertArrayEquals(s(7, 7), inst.shape(like.node));
        assertArrayEquals(s(7, 7), inst.shape(fill.node));
        assertArrayEquals(s(7), inst.shape(fin.node));
        assertMessage("broadcast: cannot broadcast shape [4] to [4, 7]: dim -1 is 4 vs 7",
                () -> ShapeInference.infer(k.graph, new long[][] {s(4), s(3, 1)}, null, null, null));
    }

    @Test
    void stridesDefaultToContiguousAndOutputsAreChecked() {
        KernelBuilder kb = new KernelBuilder("st");
        Value x = kb.input(DType.F32, -1, -1);
        kb.output(kb.neg(x));
        Kernel k = kb.build();
        Instance inst = ShapeInference.infer(k.graph, new long[][] {s(2, 3)}, new long[][] {s(1, 2)}, null, null);
        assertArrayEquals(s(1, 2), inst.inputStrides()[0]);
        assertArrayEquals(s(3, 1), inst.outputStrides()[0]);
        assertMessage("kernel 'st' output 0: shape [3, 2] but the kernel computes [2, 3] for these inputs",
                () -> ShapeInference.infer(k.graph, new long[][] {s(2, 3)}, null, new long[][] {s(3, 2)}, null));
        assertMessage("kernel 'st' input 0: 1 strides for shape [2, 3]",
                () -> ShapeInference.infer(k.graph, new long[][] {s(2, 3)}, new long[][] {s(1)}, null, null));
    }

    @Test
    void elementCountOverflowIsAClearError() {
        KernelBuilder kb = new KernelBuilder("big");
        Value x = kb.input(DType.F32, -1, 1);
        Value y = kb.input(DType.F32, -1);
        kb.output(kb.add(x, y));
        Kernel k = kb.build();
        assertMessage("add: shape [4294967296, 4294967296] has more than 2^63 elements",
                () -> ShapeInference.infer(k.graph, new long[][] {s(1L << 32, 1), s(1L << 32)}, null, null, null));
    }
}
