package dev.dvm.tests.reference;

import dev.dvm.core.DType;
import dev.dvm.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

/** Moves data between the reference's {@link RefTensor}s and dvm4j {@link Tensor}s, through Tensor's public API only. */
public final class TensorBridge {
    private TensorBridge() {}

    /** A contiguous dvm4j tensor holding {@code t}'s values (which are representable in its dtype). */
    public static Tensor toTensor(Arena arena, RefTensor t) {
        long[] shape = t.shape();
        int n = t.size();
        return switch (t.dtype()) {
            case F32, F16, BF16 -> {
                float[] data = new float[n];
                for (int i = 0; i < n; i++) {
                    data[i] = (float) RefTypes.roundTo(t.dtype(), t.floats()[i]);
                }
                yield t.dtype() == DType.F32 ? Tensor.of(arena, data, shape) : Tensor.of(arena, t.dtype(), data, shape);
            }
            case I32 -> {
                int[] data = new int[n];
                for (int i = 0; i < n; i++) {
                    data[i] = (int) t.ints()[i];
                }
                yield Tensor.of(arena, data, shape);
            }
            case I64 -> Tensor.of(arena, t.ints().clone(), shape);
            case BOOL -> {
                boolean[] data = new boolean[n];
                for (int i = 0; i < n; i++) {
                    data[i] = t.ints()[i] != 0;
                }
                yield Tensor.of(arena, data, shape);
            }
        };
    }

    /** The values of a dvm4j tensor, exact, as a {@link RefTensor} with zero error bounds. */
    public static RefTensor fromTensor(Tensor t) {
        long[] shape = t.shape();
        return switch (t.dtype()) {
            case F32, F16, BF16 -> new RefTensor(t.dtype(), shape, t.toDoubleArray(), null, new double[Math.toIntExact(t.elementCount())]);
            case I32 -> {
                int[] v = t.toIntArray();
                long[] l = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    l[i] = v[i];
                }
                yield new RefTensor(t.dtype(), shape, null, l, new double[v.length]);
            }
            case I64 -> {
                long[] v = t.toLongArray();
                yield new RefTensor(t.dtype(), shape, null, v, new double[v.length]);
            }
            case BOOL -> {
                boolean[] v = t.toBooleanArray();
                long[] l = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    l[i] = v[i] ? 1 : 0;
                }
                yield new RefTensor(t.dtype(), shape, null, l, new double[v.length]);
            }
        };
    }

    /** The raw bytes of a tensor's elements in row-major order (for bit-identity checks). */
    public static byte[] rawBytes(Tensor t) {
        int size = t.dtype().byteSize();
        long n = t.elementCount();
        if (t.isContiguous()) {
            return t.segment().asSlice(t.offset() * size, n * size).toArray(ValueLayout.JAVA_BYTE);
        }
        byte[] out = new byte[Math.toIntExact(n * size)];
        long[] shape = t.shape();
        long[] strides = t.strides();
        long[] idx = new long[shape.length];
        for (long i = 0; i < n; i++) {
            long pos = t.offset();
            for (int d = 0; d < shape.length; d++) {
                pos += idx[d] * strides[d];
            }
            for (int b = 0; b < size; b++) {
                out[(int) (i * size + b)] = t.segment().get(ValueLayout.JAVA_BYTE, pos * size + b);
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }
}
