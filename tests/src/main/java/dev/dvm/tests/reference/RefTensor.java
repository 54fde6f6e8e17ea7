package dev.dvm.tests.reference;

import dev.dvm.core.DType;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A tensor of the reference evaluator: dtype, row-major shape, values and, per element, a bound on
 * how far a correct F32 implementation may be from the value.
 *
 * <p>Float dtypes keep their values in {@code floats} (each an F32 value, as the kernel computes
 * F16 and BF16 in F32; only casts and the final store round to 16 bits). Integer and BOOL dtypes
 * keep theirs in {@code ints} (BOOL as 0/1, I32 within the int range). {@code err[i]} is an
 * absolute error bound: 0 when the element is exact, {@code +inf} when nothing can be said about it
 * (an uncertain compare, an overflow that may or may not happen), in which case it is not compared.
 */
public record RefTensor(DType dtype, long[] shape, double[] floats, long[] ints, double[] err) {
    public RefTensor {
        int n = Math.toIntExact(count(shape));
        if ((RefTypes.isFloat(dtype) ? floats.length : ints.length) != n || err.length != n) {
            throw new IllegalArgumentException("RefTensor: " + n + " elements expected for shape " + Arrays.toString(shape));
        }
    }

    /** An exact tensor of a float dtype; values are rounded to the dtype's precision. */
    public static RefTensor ofFloats(DType dtype, long[] shape, double[] values) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = RefTypes.roundTo(dtype, values[i]);
        }
        return new RefTensor(dtype, shape.clone(), v, null, new double[v.length]);
    }

    /** An F32 tensor of {@code shape} whose values {@code r} draws uniformly from [lo, hi), in order. */
    public static RefTensor uniformF32(SplittableRandom r, double lo, double hi, long... shape) {
        double[] v = new double[Math.toIntExact(count(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble(lo, hi);
        }
        return ofFloats(DType.F32, shape, v);
    }

    /** An exact tensor of an integer or BOOL dtype; values are wrapped to the dtype. */
    public static RefTensor ofInts(DType dtype, long[] shape, long[] values) {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = RefTypes.wrap(dtype, values[i]);
        }
        return new RefTensor(dtype, shape.clone(), null, v, new double[v.length]);
    }

    /** An uninitialised tensor to fill. */
    static RefTensor empty(DType dtype, long[] shape) {
        int n = Math.toIntExact(count(shape));
        return RefTypes.isFloat(dtype)
                ? new RefTensor(dtype, shape, new double[n], null, new double[n])
                : new RefTensor(dtype, shape, null, new long[n], new double[n]);
    }

    public boolean isFloat() {
        return floats != null;
    }

    public int size() {
        return err.length;
    }

    /** Element {@code i} as a double (I64 may round). */
    public double get(int i) {
        return isFloat() ? floats[i] : ints[i];
    }

    /** Number of elements of {@code shape}. */
    public static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return RefTypes.name(dtype) + Arrays.toString(shape);
    }
}
