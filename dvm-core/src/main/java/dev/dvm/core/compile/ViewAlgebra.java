package dev.dvm.core.compile;

import dev.dvm.core.ir.Attrs;

/** Layout ops on tensors in global memory, as compositions of strided views. */
final class ViewAlgebra {
    private ViewAlgebra() {}

    /** NumPy broadcasting of {@code from} (right-aligned) to {@code to}: new and size-1 dims get stride 0. */
    static View broadcast(View v, long[] from, long[] to) {
        long[] s = new long[to.length];
        int lead = to.length - from.length;
        for (int p = lead; p < to.length; p++) {
            s[p] = from[p - lead] == 1 ? 0 : v.strides()[p - lead];
        }
        return new View(v.slot(), v.type(), v.offset(), s);
    }

    /** Output dim i is input dim perm[i]. */
    static View permute(View v, int[] perm) {
        long[] s = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            s[i] = v.strides()[perm[i]];
        }
        return new View(v.slot(), v.type(), v.offset(), s);
    }

    static View slice(View v, long[] from, Attrs.Slice slice) {
        long offset = v.offset();
        long[] s = new long[from.length];
        for (int d = 0; d < from.length; d++) {
            long start = slice.start(d, from[d]);
            if (start < from[d]) {
                offset += start * v.strides()[d];
            }
            s[d] = v.strides()[d] * slice.step()[d];
        }
        return new View(v.slot(), v.type(), offset, s);
    }

    static View split(View v, long[] from, Attrs.Split split) {
        long start = split.offset(from[split.axis()]);
        return new View(v.slot(), v.type(), v.offset() + start * v.strides()[split.axis()], v.strides().clone());
    }

    /**
     * The view of {@code v} reshaped from {@code from} to {@code to} without copying, or null when
     * some merged run of source dims is not contiguous (NumPy's no-copy reshape rule).
     */
    static View reshape(View v, long[] from, long[] to) {
        long[] s = new long[to.length];
        long count = 1;
        for (long d : from) {
            count *= d;
        }
        if (count == 0) {
            return new View(v.slot(), v.type(), v.offset(), s);
        }
        int[] oldDims = new int[from.length];
        int oldCount = 0;
        for (int d = 0; d < from.length; d++) {
            if (from[d] != 1) {
                oldDims[oldCount++] = d;
            }
        }
        int[] newDims = new int[to.length];
        int newCount = 0;
        for (int d = 0; d < to.length; d++) {
            if (to[d] != 1) {
                newDims[newCount++] = d;
            }
        }
        int oi = 0, ni = 0;
        while (oi < oldCount && ni < newCount) {
            int oj = oi + 1, nj = ni + 1;
            long op = from[oldDims[oi]], np = to[newDims[ni]];
            while (op != np) {
                if (np < op) {
                    np *= to[newDims[nj++]];
                } else {
                    op *= from[oldDims[oj++]];
                }
            }
            for (int k = oi; k < oj - 1; k++) {
                if (v.strides()[oldDims[k]] != from[oldDims[k + 1]] * v.strides()[oldDims[k + 1]]) {
                    return null;
                }
            }
            long stride = v.strides()[oldDims[oj - 1]];
            for (int k = nj - 1; k >= ni; k--) {
                s[newDims[k]] = stride;
                stride *= to[newDims[k]];
            }
            oi = oj;
            ni = nj;
        }
        return new View(v.slot(), v.type(), v.offset(), s);
    }
}
