package dev.dvm.core.compile;

import dev.dvm.core.ir.Attrs;

/** Layout ops on tensors in global memory, as compositions of strided views. */
final class ViewAlgebra {
    private ViewAlgebra() {}

    /** NumPy broadcasting of {@code from} (right-aligned) to {@code to}: new and size-1 dims get stride 0. */
    static View broadcast(View v, Dim[] from, Dim[] to) {
        Dim zero = v.offset().tape.zero;
        Dim[] s = new Dim[to.length];
        int lead = to.length - from.length;
        for (int p = 0; p < to.length; p++) {
            s[p] = p < lead || from[p - lead].isOne() ? zero : v.strides()[p - lead];
        }
        return new View(v.slot(), v.type(), v.offset(), s);
    }

    /** Output dim i is input dim perm[i]. */
    static View permute(View v, int[] perm) {
        Dim[] s = new Dim[perm.length];
        for (int i = 0; i < perm.length; i++) {
            s[i] = v.strides()[perm[i]];
        }
        return new View(v.slot(), v.type(), v.offset(), s);
    }

    static View slice(View v, Dim[] from, Attrs.Slice slice) {
        Dim offset = v.offset();
        Dim[] s = new Dim[from.length];
        for (int d = 0; d < from.length; d++) {
            Dim start = sliceStart(slice, d, from[d]);
            if (start.lt(from[d])) {
                offset = offset.plus(v.strides()[d].times(start));
            }
            s[d] = v.strides()[d].times(slice.step()[d]);
        }
        return new View(v.slot(), v.type(), offset, s);
    }

    /** {@link Attrs.Slice#start} on a {@link Dim}: the Python-style clamping compares are recorded. */
    private static Dim sliceStart(Attrs.Slice slice, int axis, Dim dim) {
        Tape tape = dim.tape;
        long bound = slice.begin()[axis];
        if (bound < 0) {
            Dim fromEnd = dim.plus(tape.constant(bound));
            return fromEnd.lt(tape.zero) ? tape.zero : fromEnd;
        }
        Dim b = tape.constant(bound);
        return dim.lt(b) ? dim : b;
    }

    static View split(View v, Dim[] from, Attrs.Split split) {
        Dim start = splitOffset(split, from[split.axis()]);
        return new View(v.slot(), v.type(), v.offset().plus(v.strides()[split.axis()].times(start)), v.strides().clone());
    }

    /** {@link Attrs.Split#offset} on a {@link Dim}. */
    private static Dim splitOffset(Attrs.Split split, Dim dim) {
        Tape tape = dim.tape;
        if (split.sizes() == null) {
            return dim.over(split.parts()).times(split.index());
        }
        Dim offset = tape.zero;
        for (int i = 0; i < split.index(); i++) {
            long size = split.sizes()[i];
            offset = offset.plus(size >= 0 ? tape.constant(size) : dim.minus(tape.constant(split.known())));
        }
        return offset;
    }

    /**
     * The view of {@code v} reshaped from {@code from} to {@code to} without copying, or null when
     * some merged run of source dims is not contiguous (NumPy's no-copy reshape rule).
     */
    static View reshape(View v, Dim[] from, Dim[] to) {
        Tape tape = v.offset().tape;
        Dim[] s = new Dim[to.length];
        java.util.Arrays.fill(s, tape.zero);
        if (Dim.product(tape, from).isZero()) {
            return new View(v.slot(), v.type(), v.offset(), s);
        }
        int[] oldDims = new int[from.length];
        int oldCount = 0;
        for (int d = 0; d < from.length; d++) {
            if (!from[d].isOne()) {
                oldDims[oldCount++] = d;
            }
        }
        int[] newDims = new int[to.length];
        int newCount = 0;
        for (int d = 0; d < to.length; d++) {
            if (!to[d].isOne()) {
                newDims[newCount++] = d;
            }
        }
        int oi = 0, ni = 0;
        while (oi < oldCount && ni < newCount) {
            int oj = oi + 1, nj = ni + 1;
            Dim op = from[oldDims[oi]], np = to[newDims[ni]];
            while (!op.eq(np)) {
                if (np.lt(op)) {
                    np = np.times(to[newDims[nj++]]);
                } else {
                    op = op.times(from[oldDims[oj++]]);
                }
            }
            for (int k = oi; k < oj - 1; k++) {
                if (!v.strides()[oldDims[k]].eq(from[oldDims[k + 1]].times(v.strides()[oldDims[k + 1]]))) {
                    return null;
                }
            }
            Dim stride = v.strides()[oldDims[oj - 1]];
            for (int k = nj - 1; k >= ni; k--) {
                s[newDims[k]] = stride;
                if (k > ni) {
                    stride = stride.times(to[newDims[k]]);
                }
            }
            oi = oj;
            ni = nj;
        }
        return new View(v.slot(), v.type(), v.offset(), s);
    }
}
