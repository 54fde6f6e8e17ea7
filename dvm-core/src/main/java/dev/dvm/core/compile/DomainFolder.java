package dev.dvm.core.compile;

import dev.dvm.bytecode.Isa;
import dev.dvm.core.compile.Body.Access;
import dev.dvm.core.compile.Body.Instr;
import java.util.List;

/**
 * Pass 3: merges adjacent domain axes d, d+1 of the same side (rows or columns) when every
 * window steps over them as over one axis ({@code stride_d == stride_{d+1} × extent_{d+1}}, which
 * includes both being 0). A contiguous elementwise kernel becomes one axis and its loads become
 * unit-stride runs. ROWS windows constrain only the outer axes; partial-result windows are laid
 * out contiguously after tiling, so they never block a merge.
 */
final class DomainFolder {
    private DomainFolder() {}

    static void fold(Body body) {
        for (int d = body.extents.length - 2; d >= 0; d--) {
            if (mergeable(body, d)) {
                merge(body, d);
            }
        }
    }

    private static boolean mergeable(Body body, int d) {
        if (body.inner[d] != body.inner[d + 1]) {
            return false;
        }
        long e = body.extents[d + 1];
        if (e != 0 && body.extents[d] > Isa.MAX_EXTENT / e) {
            return false;
        }
        boolean inner = body.inner[d];
        return fits(body.loads, d, e, inner) && fits(body.stores, d, e, inner);
    }

    private static boolean fits(List<Instr> memory, int d, long extent, boolean inner) {
        for (Instr in : memory) {
            Access a = in.access;
            if (a.partial || (a.rows && inner)) {
                continue;
            }
            if (a.strides[d] != a.strides[d + 1] * extent) {
                return false;
            }
        }
        return true;
    }

    private static void merge(Body body, int d) {
        body.extents = remove(body.extents, d, body.extents[d] * body.extents[d + 1]);
        body.inner = remove(body.inner, d);
        mergeStrides(body.loads, d);
        mergeStrides(body.stores, d);
    }

    private static void mergeStrides(List<Instr> memory, int d) {
        for (Instr in : memory) {
            Access a = in.access;
            if (a.strides != null) {
                a.strides = remove(a.strides, d, a.strides[d + 1]);
            }
        }
    }

    private static long[] remove(long[] values, int d, long merged) {
        long[] out = new long[values.length - 1];
        System.arraycopy(values, 0, out, 0, d);
        out[d] = merged;
        System.arraycopy(values, d + 2, out, d + 1, values.length - d - 2);
        return out;
    }

    private static boolean[] remove(boolean[] values, int d) {
        boolean[] out = new boolean[values.length - 1];
        System.arraycopy(values, 0, out, 0, d + 1);
        System.arraycopy(values, d + 2, out, d + 1, values.length - d - 2);
        return out;
    }
}
