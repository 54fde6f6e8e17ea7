package dev.dvm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TensorTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private static void assertMessage(String expected, Runnable r) {
        DvmException e = assertThrows(DvmException.class, r::run);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }

    @Test
    void allocateIsZeroedContiguousAndAligned() {
        Tensor t = Tensor.allocate(arena, DType.F32, 2, 3);
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertArrayEquals(new long[] {3, 1}, t.strides());
        assertEquals(0, t.offset());
        assertEquals(6, t.elementCount());
        assertTrue(t.isContiguous());
        assertEquals(0, t.segment().address() % 64);
        assertArrayEquals(new float[6], t.toFloatArray());
    }

    @Test
    void rankZeroAndEmptyTensors() {
        Tensor s = Tensor.of(arena, new float[] {5f});
        assertEquals(0, s.rank());
        assertEquals(5.0, s.getDouble());
        Tensor e = Tensor.allocate(arena, DType.I32, 3, 0);
        assertEquals(0, e.elementCount());
        assertEquals(0, e.toIntArray().length);
        assertTrue(e.isContiguous());
    }

    @Test
    void factoriesRoundTrip() {
        assertArrayEquals(new float[] {1, 2, 3, 4}, Tensor.of(arena, new float[] {1, 2, 3, 4}, 2, 2).toFloatArray());
        assertArrayEquals(new int[] {-1, 7}, Tensor.of(arena, new int[] {-1, 7}, 2).toIntArray());
        assertArrayEquals(new long[] {Long.MIN_VALUE, 3}, Tensor.of(arena, new long[] {Long.MIN_VALUE, 3}, 2).toLongArray());
        assertArrayEquals(new boolean[] {true, false}, Tensor.of(arena, new boolean[] {true, false}, 2).toBooleanArray());
        assertEquals(DType.I64, Tensor.of(arena, new long[] {1}, 1).dtype());
    }

    @Test
    void floatsToIntegerDtypesTruncateAndBoolIsNonZero() {
        float[] data = {2.7f, -2.7f, Float.NaN, 1e20f};
        assertArrayEquals(new int[] {2, -2, 0, Integer.MAX_VALUE}, Tensor.of(arena, DType.I32, data, 4).toIntArray());
        assertArrayEquals(new long[] {2, -2, 0, (long) 1e20f}, Tensor.of(arena, DType.I64, data, 4).toLongArray());
        assertArrayEquals(new boolean[] {true, false, true}, Tensor.of(arena, DType.BOOL, new float[] {0.5f, 0f, Float.NaN}, 3).toBooleanArray());
    }

    @Test
    void f16RoundsToNearestEven() {
        float half = 0x1p-11f; // half an F16 ulp at 1.0
        float[] data = {1 + half, 1 + 3 * half, 65520f, -0.0f, 1e-8f};
        Tensor t = Tensor.of(arena, DType.F16, data, 5);
        assertArrayEquals(new float[] {1f, 1 + 4 * half, Float.POSITIVE_INFINITY, -0.0f, 0f}, t.toFloatArray());
        assertEquals((short) 0x3C00, t.segment().getAtIndex(ValueLayout.JAVA_SHORT, 0));
        assertEquals((short) 0x8000, t.segment().getAtIndex(ValueLayout.JAVA_SHORT, 3));
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        float half = 0x1p-8f; // half a BF16 ulp at 1.0
        float[] data = {1 + half, 1 + 3 * half, -(1 + half), Float.MAX_VALUE, Float.NaN, 1 + half + 0x1p-20f};
        Tensor t = Tensor.of(arena, DType.BF16, data, 6);
        float[] back = t.toFloatArray();
        assertEquals(1f, back[0]);
        assertEquals(1 + 4 * half, back[1]);
        assertEquals(-1f, back[2]);
        assertEquals(Float.POSITIVE_INFINITY, back[3]);
        assertTrue(Float.isNaN(back[4]));
        assertEquals(1 + 2 * half, back[5]);
        assertEquals((short) 0x3F80, t.segment().getAtIndex(ValueLayout.JAVA_SHORT, 0));
    }

    @Test
    void sliceWithStepNegativeBoundsAndClamping() {
        Tensor t = Tensor.of(arena, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10);
        assertArrayEquals(new int[] {1, 4, 7}, t.slice(0, 1, 8, 3).toIntArray());
        assertArrayEquals(new int[] {7, 8, 9}, t.slice(-1, -3, Long.MAX_VALUE, 1).toIntArray());
        assertArrayEquals(new int[] {0, 1}, t.slice(0, -100, 2, 1).toIntArray());
        assertEquals(0, t.slice(0, 8, 3, 1).elementCount());
        Tensor s = t.slice(0, 2, 10, 2);
        assertArrayEquals(new long[] {2}, s.strides());
        assertEquals(2, s.offset());
        assertFalse(s.isContiguous());
    }

    @Test
    void sliceErrors() {
        Tensor t = Tensor.allocate(arena, DType.F32, 2, 5);
        assertMessage("slice: axis 3 out of range for shape [2, 5]; axis must be in [-2, 2)", () -> t.slice(3, 0, 1, 1));
        assertMessage("step must be >= 1", () -> t.slice(1, 0, 1, 0));
    }

    @Test
    void permuteTransposes() {
        Tensor t = Tensor.of(arena, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor p = t.permute(1, 0);
        assertArrayEquals(new long[] {3, 2}, p.shape());
        assertArrayEquals(new long[] {1, 3}, p.strides());
        assertFalse(p.isContiguous());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, p.toFloatArray());
        assertEquals(6.0, p.getDouble(2, 1));
        assertMessage("permute: [0, 0] for shape [2, 3] is not a permutation", () -> t.permute(0, 0));
        assertMessage("is not a permutation", () -> t.permute(0));
    }

    @Test
    void reshapeInfersOneDimAndNeedsContiguity() {
        Tensor t = Tensor.of(arena, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor r = t.reshape(3, -1);
        assertArrayEquals(new long[] {3, 2}, r.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, r.toFloatArray());
        assertMessage("reshape: the view with shape [3, 2] and strides [1, 3] is not contiguous", () -> t.permute(1, 0).reshape(6));
        assertMessage("more than one -1", () -> t.reshape(-1, -1));
        assertMessage("reshape: shape [2, 3] (6 elements) cannot become [4] (4 elements)", () -> t.reshape(4));
        assertMessage("cannot infer the -1 in [4, -1]", () -> t.reshape(4, -1));
        Tensor row = t.slice(0, 1, 2, 1); // [1, 3] at offset 3: still contiguous
        assertArrayEquals(new float[] {4, 5, 6}, row.reshape(3).toFloatArray());
        assertEquals(3, row.reshape(-1).offset());
    }

    @Test
    void broadcastToGivesReadOnlyStrideZeroViews() {
        Tensor t = Tensor.of(arena, new float[] {1, 2, 3}, 3);
        Tensor b = t.broadcastTo(2, 3);
        assertArrayEquals(new long[] {0, 1}, b.strides());
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, b.toFloatArray());
        assertTrue(b.isBroadcastView());
        assertMessage("broadcast (stride 0) and read-only", () -> b.setDouble(1, 0, 0));
        Tensor col = Tensor.of(arena, new float[] {1, 2}, 2, 1).broadcastTo(2, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2}, col.toFloatArray());
        assertMessage("broadcastTo: cannot broadcast shape [3] to [4]: dim -1 is 3 vs 4; a dim must equal the target's or be 1",
                () -> t.broadcastTo(4));
        assertMessage("needs at least 1 dims", () -> t.broadcastTo());
    }

    @Test
    void elementAccessAndWrites() {
        Tensor t = Tensor.allocate(arena, DType.BF16, 2, 2);
        t.setDouble(1.5, 1, 0);
        assertEquals(1.5, t.getDouble(1, 0));
        assertArrayEquals(new double[] {0, 0, 1.5, 0}, t.toDoubleArray());
        assertMessage("getDouble: index [2, 0] is out of bounds for shape [2, 2]; coordinate 0 must be in [0, 2)", () -> t.getDouble(2, 0));
        assertMessage("needs 2 coordinates", () -> t.getDouble(0));
    }

    @Test
    void conversionsBetweenDtypes() {
        Tensor i64 = Tensor.of(arena, new long[] {1L << 33 | 5, -3}, 2);
        assertArrayEquals(new int[] {5, -3}, i64.toIntArray());
        assertArrayEquals(new float[] {(float) (1L << 33 | 5), -3f}, i64.toFloatArray());
        assertArrayEquals(new boolean[] {true, true}, i64.toBooleanArray());
        Tensor b = Tensor.of(arena, new boolean[] {true, false}, 2);
        assertArrayEquals(new float[] {1, 0}, b.toFloatArray());
        assertArrayEquals(new long[] {1, 0}, b.toLongArray());
    }

    @Test
    void badFactoryArguments() {
        assertMessage("Tensor.of: 6 values do not fill shape [2, 4] (8 elements); pass a shape whose element count is 6",
                () -> Tensor.of(arena, new float[6], 2, 4));
        assertMessage("negative dim", () -> Tensor.allocate(arena, DType.F32, -2));
        assertMessage("more than 2^63", () -> Tensor.allocate(arena, DType.F32, 1L << 40, 1L << 40));
        assertMessage("data must not be null", () -> Tensor.of(arena, (int[]) null, 1));
    }

    @Test
    void useAfterArenaClosedIsAClearError() {
        Arena scoped = Arena.ofConfined();
        Tensor t = Tensor.of(scoped, new float[] {1, 2}, 2);
        scoped.close();
        assertMessage("tensor used after its arena closed", t::toFloatArray);
        assertMessage("tensor used after its arena closed", () -> t.getDouble(0));
        assertMessage("tensor used after its arena closed", () -> t.slice(0, 0, 1, 1));
        assertMessage("the arena is closed", () -> Tensor.allocate(scoped, DType.F32, 1));
    }
}
