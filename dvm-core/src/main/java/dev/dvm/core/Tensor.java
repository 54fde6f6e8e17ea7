package dev.dvm.core;

import dev.dvm.core.ir.Shapes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A tensor: dtype, shape, element strides and element offset over a 64-byte aligned
 * {@link MemorySegment} owned by an {@link Arena}. Views (slices, permutations, broadcasts,
 * reshapes of contiguous tensors) share storage. F16 and BF16 elements are 16-bit patterns.
 *
 * <p>A tensor is a small immutable descriptor; its elements are as thread-safe as the arena that
 * owns them. Every method that reads or writes elements, or makes a view, fails with
 * {@link DvmException} once the arena is closed. Elements are stored in the platform's native
 * byte order; BOOL is one byte, 0 or 1 (any non-zero byte reads as true).
 */
public final class Tensor {
    private static final long ALIGNMENT = 64;

    private final MemorySegment storage;
    private final DType dtype;
    final long[] shape;
    final long[] strides;
    final long offset;

    private Tensor(MemorySegment storage, DType dtype, long[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---- factories ----

    /** A zeroed contiguous tensor; a dim may be 0 (an empty tensor), no shape is a rank-0 scalar. */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        Tensor t = allocateUninitialized("Tensor.allocate", arena, dtype, shape);
        t.storage.fill((byte) 0);
        return t;
    }

    /** A contiguous tensor whose contents are whatever the arena gives (outputs about to be overwritten). */
    static Tensor allocateUninitialized(String op, Arena arena, DType dtype, long... shape) {
        if (arena == null || dtype == null || shape == null) {
            throw new DvmException(op + ": arena, dtype and shape must not be null");
        }
        long count = checkedCount(op, shape);
        long bytes;
        try {
            bytes = Math.multiplyExact(count, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new DvmException(op + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs more than 2^63 bytes; use a smaller shape");
        }
        MemorySegment segment;
        try {
            segment = arena.allocate(bytes, ALIGNMENT);
        } catch (IllegalStateException e) {
            throw new DvmException(op + ": the arena is closed; allocate from an open arena", e);
        }
        return new Tensor(segment, dtype, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** F32 from floats (row-major); no shape means rank 0 (one value). */
    public static Tensor of(Arena arena, float[] data, long... shape) {
        return of(arena, DType.F32, data, shape);
    }

    /** Any float dtype from floats, rounding to nearest even for F16 and BF16; integer dtypes truncate; BOOL is x != 0. */
    public static Tensor of(Arena arena, DType dtype, float[] data, long... shape) {
        Tensor t = fromArray(arena, dtype, data == null ? -1 : data.length, shape);
        MemorySegment s = t.storage;
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, 0, s, ValueLayout.JAVA_FLOAT, 0, data.length);
            case F16 -> {
                for (int i = 0; i < data.length; i++) {
                    s.setAtIndex(ValueLayout.JAVA_SHORT, i, Halfs.toF16(data[i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < data.length; i++) {
                    s.setAtIndex(ValueLayout.JAVA_SHORT, i, Halfs.toBf16(data[i]));
                }
            }
            case I32 -> {
                for (int i = 0; i < data.length; i++) {
                    s.setAtIndex(ValueLayout.JAVA_INT, i, (int) data[i]);
                }
            }
            case I64 -> {
                for (int i = 0; i < data.length; i++) {
                    s.setAtIndex(ValueLayout.JAVA_LONG, i, (long) data[i]);
                }
            }
            case BOOL -> {
                for (int i = 0; i < data.length; i++) {
                    s.set(ValueLayout.JAVA_BYTE, i, data[i] != 0 ? (byte) 1 : 0);
                }
            }
        }
        return t;
    }

    /** I32 from ints (row-major). */
    public static Tensor of(Arena arena, int[] data, long... shape) {
        Tensor t = fromArray(arena, DType.I32, data == null ? -1 : data.length, shape);
        MemorySegment.copy(data, 0, t.storage, ValueLayout.JAVA_INT, 0, data.length);
        return t;
    }

    /** I64 from longs (row-major). */
    public static Tensor of(Arena arena, long[] data, long... shape) {
        Tensor t = fromArray(arena, DType.I64, data == null ? -1 : data.length, shape);
        MemorySegment.copy(data, 0, t.storage, ValueLayout.JAVA_LONG, 0, data.length);
        return t;
    }

    /** BOOL from booleans (row-major). */
    public static Tensor of(Arena arena, boolean[] data, long... shape) {
        Tensor t = fromArray(arena, DType.BOOL, data == null ? -1 : data.length, shape);
        for (int i = 0; i < data.length; i++) {
            t.storage.set(ValueLayout.JAVA_BYTE, i, data[i] ? (byte) 1 : 0);
        }
        return t;
    }

    private static Tensor fromArray(Arena arena, DType dtype, int length, long[] shape) {
        if (length < 0) {
            throw new DvmException("Tensor.of: data must not be null");
        }
        long count = checkedCount("Tensor.of", shape);
        if (count != length) {
            throw new DvmException("Tensor.of: " + length + " values do not fill shape " + Arrays.toString(shape) + " (" + count
                    + " elements); pass a shape whose element count is " + length);
        }
        return allocateUninitialized("Tensor.of", arena, dtype, shape);
    }

    // ---- layout ----

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** Number of dims. */
    public int rank() {
        return shape.length;
    }

    /** A copy of the dims. */
    public long[] shape() {
        return shape.clone();
    }

    /** A copy of the element strides (0 along broadcast dims). */
    public long[] strides() {
        return strides.clone();
    }

    /** Offset of element [0, …, 0] in elements from the start of {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** Product of the dims (1 for rank 0). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d; // cannot overflow: checked when the storage or the broadcast view was made
        }
        return n;
    }

    /** The whole storage this tensor is a view of. */
    public MemorySegment segment() {
        return storage;
    }

    /** Whether the elements are row-major and dense (strides of dims of size 1 do not matter). */
    public boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) {
                return true;
            }
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** Whether several indices share one element (a stride-0 dim of size > 1): such views are read-only. */
    boolean isBroadcastView() {
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                return true;
            }
        }
        return false;
    }

    /** Whether the storage can still be touched. */
    boolean isAlive() {
        return storage.scope().isAlive();
    }

    // ---- views ----

    /**
     * Elements {@code start, start+step, …} (before {@code end}) of {@code axis}, Python style:
     * a negative axis, start or end counts from the end, start and end are clamped to [0, dim],
     * {@code Long.MAX_VALUE} as end means "to the end"; {@code step ≥ 1}.
     */
    public Tensor slice(int axis, long start, long end, long step) {
        checkAlive("slice");
        int a = axis("slice", axis);
        if (step < 1) {
            throw new DvmException("slice: step " + step + " on axis " + axis + " of shape " + Arrays.toString(shape)
                    + " is not allowed; step must be >= 1 (reverse with a permute or a kernel instead)");
        }
        long dim = shape[a];
        long from = clamp(start, dim);
        long to = clamp(end, dim);
        long length = to <= from ? 0 : (to - from - 1) / step + 1;
        long[] newShape = shape.clone();
        long[] newStrides = strides.clone();
        newShape[a] = length;
        newStrides[a] = length <= 1 ? strides[a] : strides[a] * step; // a huge step on a short result never overflows
        long newOffset = length == 0 ? offset : offset + from * strides[a];
        return new Tensor(storage, dtype, newShape, newStrides, newOffset);
    }

    /** Python-style clamping of a slice bound to [0, dim]. */
    static long clamp(long bound, long dim) {
        if (bound < 0) {
            return Math.max(0, bound + dim);
        }
        return Math.min(bound, dim);
    }

    /** Dims reordered: dim {@code i} of the result is dim {@code perm[i]} of this one (negatives count from the end). */
    public Tensor permute(int... perm) {
        checkAlive("permute");
        if (perm == null || perm.length != shape.length) {
            throw new DvmException("permute: " + (perm == null ? "null" : Arrays.toString(perm)) + " for shape " + Arrays.toString(shape)
                    + " is not a permutation; give each of the " + shape.length + " axes exactly once");
        }
        long[] newShape = new long[perm.length];
        long[] newStrides = new long[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int a = perm[i] < 0 ? perm[i] + perm.length : perm[i];
            if (a < 0 || a >= perm.length || seen[a]) {
                throw new DvmException("permute: " + Arrays.toString(perm) + " for shape " + Arrays.toString(shape)
                        + " is not a permutation; give each axis in [" + -perm.length + ", " + perm.length + ") exactly once");
            }
            seen[a] = true;
            newShape[i] = shape[a];
            newStrides[i] = strides[a];
        }
        return new Tensor(storage, dtype, newShape, newStrides, offset);
    }

    /** A view of a contiguous tensor with another shape; one dim may be -1 (inferred). */
    public Tensor reshape(long... newShape) {
        checkAlive("reshape");
        if (newShape == null) {
            throw new DvmException("reshape: shape must not be null");
        }
        if (!isContiguous()) {
            throw new DvmException("reshape: the view with shape " + Arrays.toString(shape) + " and strides " + Arrays.toString(strides)
                    + " is not contiguous; reshape before slicing or permuting, or copy it into a contiguous tensor first");
        }
        long[] dims = inferReshape("reshape", shape, elementCount(), newShape);
        return new Tensor(storage, dtype, dims, Shapes.contiguousStrides(dims), offset);
    }

    /** Resolves one -1 in {@code target} so its element count is {@code count}; errors name {@code op} and {@code from}. */
    static long[] inferReshape(String op, long[] from, long count, long[] target) {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (inferred >= 0) {
                    throw new DvmException(op + ": target " + Arrays.toString(target) + " has more than one -1; infer at most one dim");
                }
                inferred = i;
            } else if (target[i] < 0) {
                throw new DvmException(op + ": target " + Arrays.toString(target) + " has dim " + target[i] + "; dims must be >= 0 or -1");
            } else {
                try {
                    known = Math.multiplyExact(known, target[i]);
                } catch (ArithmeticException e) {
                    throw new DvmException(op + ": target " + Arrays.toString(target) + " has more than 2^63 elements; use smaller dims");
                }
            }
        }
        long[] dims = target.clone();
        if (inferred >= 0) {
            if (known == 0 || count % known != 0) {
                throw new DvmException(op + ": cannot infer the -1 in " + Arrays.toString(target) + " for shape " + Arrays.toString(from)
                        + " (" + count + " elements); the other dims' product " + known + " must divide " + count + " and be non-zero");
            }
            dims[inferred] = count / known;
        } else if (known != count) {
            throw new DvmException(op + ": shape " + Arrays.toString(from) + " (" + count + " elements) cannot become "
                    + Arrays.toString(target) + " (" + known + " elements); the element counts must be equal");
        }
        return dims;
    }

    /** A read-only stride-0 view (NumPy rules: right-aligned, dims of 1 stretch, new leading dims). */
    public Tensor broadcastTo(long... target) {
        checkAlive("broadcastTo");
        if (target == null || target.length < shape.length) {
            throw new DvmException("broadcastTo: cannot broadcast shape " + Arrays.toString(shape) + " to "
                    + (target == null ? "null" : Arrays.toString(target)) + "; the target needs at least " + shape.length + " dims");
        }
        checkedCount("broadcastTo", target);
        long[] newStrides = new long[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            int src = i - lead;
            if (src < 0) {
                newStrides[i] = 0;
            } else if (shape[src] == target[i]) {
                newStrides[i] = strides[src];
            } else if (shape[src] == 1) {
                newStrides[i] = 0;
            } else {
                throw new DvmException("broadcastTo: cannot broadcast shape " + Arrays.toString(shape) + " to " + Arrays.toString(target)
                        + ": dim " + (i - target.length) + " is " + shape[src] + " vs " + target[i] + "; a dim must equal the target's or be 1");
            }
        }
        return new Tensor(storage, dtype, target.clone(), newStrides, offset);
    }

    // ---- elements ----

    /** Element at {@code index} as a double (BOOL is 0 or 1; I64 beyond 2^53 rounds). */
    public double getDouble(long... index) {
        checkAlive("getDouble");
        return read(position("getDouble", index));
    }

    /**
     * Writes {@code value} at {@code index}, converted as {@link #of(Arena, DType, float[], long...)}
     * converts (I64 and I32 truncate toward zero, saturating; BOOL is value != 0). Broadcast views are
     * read-only.
     */
    public void setDouble(double value, long... index) {
        checkAlive("setDouble");
        if (isBroadcastView()) {
            throw new DvmException("setDouble: the view with shape " + Arrays.toString(shape) + " and strides " + Arrays.toString(strides)
                    + " is a broadcast (stride 0) and read-only; write to the tensor it was broadcast from");
        }
        long p = position("setDouble", index) * dtype.byteSize();
        switch (dtype) {
            case F32 -> storage.set(ValueLayout.JAVA_FLOAT, p, (float) value);
            case F16 -> storage.set(ValueLayout.JAVA_SHORT, p, Halfs.toF16((float) value));
            case BF16 -> storage.set(ValueLayout.JAVA_SHORT, p, Halfs.toBf16((float) value));
            case I32 -> storage.set(ValueLayout.JAVA_INT, p, (int) value);
            case I64 -> storage.set(ValueLayout.JAVA_LONG, p, (long) value);
            case BOOL -> storage.set(ValueLayout.JAVA_BYTE, p, value != 0 ? (byte) 1 : 0);
        }
    }

    /** All elements in row-major order, as doubles (F16/BF16 widened exactly). */
    public double[] toDoubleArray() {
        double[] out = new double[arrayLength("toDoubleArray")];
        forEachPosition((i, p) -> out[i] = read(p));
        return out;
    }

    /** All elements in row-major order as floats (integers convert as Java's {@code (float)}). */
    public float[] toFloatArray() {
        float[] out = new float[arrayLength("toFloatArray")];
        if (dtype == DType.F32 && isContiguous()) {
            MemorySegment.copy(storage, ValueLayout.JAVA_FLOAT, offset * 4, out, 0, out.length);
        } else if (dtype == DType.I64) {
            forEachPosition((i, p) -> out[i] = storage.get(ValueLayout.JAVA_LONG, p * 8));
        } else {
            forEachPosition((i, p) -> out[i] = (float) read(p));
        }
        return out;
    }

    /** All elements in row-major order as ints (floats truncate toward zero, saturating; I64 wraps). */
    public int[] toIntArray() {
        int[] out = new int[arrayLength("toIntArray")];
        if (dtype == DType.I32 && isContiguous()) {
            MemorySegment.copy(storage, ValueLayout.JAVA_INT, offset * 4, out, 0, out.length);
        } else if (dtype == DType.I64) {
            forEachPosition((i, p) -> out[i] = (int) storage.get(ValueLayout.JAVA_LONG, p * 8));
        } else {
            forEachPosition((i, p) -> out[i] = (int) read(p));
        }
        return out;
    }

    /** All elements in row-major order as longs (floats truncate toward zero, saturating). */
    public long[] toLongArray() {
        long[] out = new long[arrayLength("toLongArray")];
        if (dtype == DType.I64) {
            forEachPosition((i, p) -> out[i] = storage.get(ValueLayout.JAVA_LONG, p * 8));
        } else {
            forEachPosition((i, p) -> out[i] = (long) read(p));
        }
        return out;
    }

    /** All elements in row-major order as booleans (x != 0; NaN is true). */
    public boolean[] toBooleanArray() {
        boolean[] out = new boolean[arrayLength("toBooleanArray")];
        if (dtype == DType.I64) {
            forEachPosition((i, p) -> out[i] = storage.get(ValueLayout.JAVA_LONG, p * 8) != 0);
        } else {
            forEachPosition((i, p) -> out[i] = read(p) != 0);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype.name().toLowerCase(java.util.Locale.ROOT) + " " + Arrays.toString(shape) + " strides "
                + Arrays.toString(strides) + " offset " + offset + "]";
    }

    // ---- internals ----

    private interface PositionConsumer {
        void accept(int i, long elementPosition);
    }

    /** Calls {@code c} for every element in row-major order with its element position in the storage. */
    private void forEachPosition(PositionConsumer c) {
        long n = elementCount();
        if (n == 0) {
            return;
        }
        int rank = shape.length;
        long[] idx = new long[rank];
        long p = offset;
        for (int i = 0; i < n; i++) {
            c.accept(i, p);
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    p += strides[d];
                    break;
                }
                p -= strides[d] * (shape[d] - 1);
                idx[d] = 0;
            }
        }
    }

    private double read(long elementPosition) {
        long p = elementPosition * dtype.byteSize();
        return switch (dtype) {
            case F32 -> storage.get(ValueLayout.JAVA_FLOAT, p);
            case F16 -> Halfs.fromF16(storage.get(ValueLayout.JAVA_SHORT, p));
            case BF16 -> Halfs.fromBf16(storage.get(ValueLayout.JAVA_SHORT, p));
            case I32 -> storage.get(ValueLayout.JAVA_INT, p);
            case I64 -> storage.get(ValueLayout.JAVA_LONG, p);
            case BOOL -> storage.get(ValueLayout.JAVA_BYTE, p) != 0 ? 1 : 0;
        };
    }

    private int arrayLength(String op) {
        checkAlive(op);
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new DvmException(op + ": shape " + Arrays.toString(shape) + " has " + n
                    + " elements, more than a Java array holds; read a slice at a time");
        }
        return (int) n;
    }

    private long position(String op, long[] index) {
        if (index == null || index.length != shape.length) {
            throw new DvmException(op + ": index " + (index == null ? "null" : Arrays.toString(index)) + " for shape "
                    + Arrays.toString(shape) + " needs " + shape.length + " coordinates");
        }
        long p = offset;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new DvmException(op + ": index " + Arrays.toString(index) + " is out of bounds for shape " + Arrays.toString(shape)
                        + "; coordinate " + d + " must be in [0, " + shape[d] + ")");
            }
            p += index[d] * strides[d];
        }
        return p;
    }

    private int axis(String op, int axis) {
        int rank = shape.length;
        if (axis < -rank || axis >= rank) {
            throw new DvmException(op + ": axis " + axis + " out of range for shape " + Arrays.toString(shape) + "; axis must be in ["
                    + -rank + ", " + rank + ")");
        }
        return axis < 0 ? axis + rank : axis;
    }

    void checkAlive(String op) {
        if (!storage.scope().isAlive()) {
            throw new DvmException(op + ": tensor used after its arena closed; keep the arena open while the tensor "
                    + Arrays.toString(shape) + " is in use");
        }
    }

    /** Element count of {@code shape}; rejects negative dims and overflow. */
    static long checkedCount(String op, long[] shape) {
        if (shape == null) {
            throw new DvmException(op + ": shape must not be null");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new DvmException(op + ": shape " + Arrays.toString(shape) + " has a negative dim; dims must be >= 0");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new DvmException(op + ": shape " + Arrays.toString(shape) + " has more than 2^63 elements; use smaller dims");
            }
        }
        return n;
    }
}
