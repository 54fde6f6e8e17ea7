package dev.dvm.core.compile;

import dev.dvm.bytecode.Isa;
import dev.dvm.core.compile.Body.Instr;
import dev.dvm.core.compile.Body.Window;
import java.util.List;

/**
 * Pass 3: merges adjacent domain axes d, d+1 of the same side (rows or columns) when every
 * window steps over them as over one axis ({@code stride_d == stride_{d+1} × extent_{d+1}}, which
 * includes both being 0). A contiguous elementwise kernel becomes one axis and its loads become
 * unit-stride runs. ROWS windows constrain only the outer axes; partial-result windows are laid
 * out contiguously after tiling, so they never block a merge. A product's two operand windows
 * constrain it as two loads do.
 */
final class DomainFolder {
    private DomainFolder() {}

    /** Folds a front-end body; every comparison of its numbers is recorded on their tape. */
    static void fold(Body body) {
        // a product split over k by groups finds a row's group from its row index: the group axis stays apart
        Instr product = body.product();
        int first = product != null && (product.flags == Isa.FLAG_GROUP_K || product.flags == Isa.FLAG_SPLIT_K) ? 1 : 0;
        for (int d = body.dims.length - 2; d >= first; d--) {
            if (mergeable(body, d)) {
                merge(body, d);
            }
        }
    }

    private static boolean mergeable(Body body, int d) {
        if (body.inner[d] != body.inner[d + 1]) {
            return false;
        }
        Dim e = body.dims[d + 1];
        if (!e.isZero() && body.dims[d].gt(e.dividing(Isa.MAX_EXTENT))) {
            return false;
        }
        boolean inner = body.inner[d];
        return fits(body.loads, d, e, inner) && fits(body.stores, d, e, inner);
    }

    private static boolean fits(List<Instr> memory, int d, Dim extent, boolean inner) {
        for (Instr in : memory) {
            if (!fits(in.window, d, extent, inner) || in.bWindow != null && !fits(in.bWindow, d, extent, inner)) {
                return false;
            }
        }
        return true;
    }

    private static boolean fits(Window a, int d, Dim extent, boolean inner) {
        return a.partial || (a.rows && inner) || a.strides[d].eq(a.strides[d + 1].times(extent));
    }

    private static void merge(Body body, int d) {
        body.dims = remove(body.dims, d, body.dims[d].times(body.dims[d + 1]));
        body.inner = remove(body.inner, d);
        mergeStrides(body.loads, d);
        mergeStrides(body.stores, d);
    }

    private static void mergeStrides(List<Instr> memory, int d) {
        for (Instr in : memory) {
            mergeStrides(in.window, d);
            if (in.bWindow != null) {
                mergeStrides(in.bWindow, d);
            }
        }
    }

    private static void mergeStrides(Window a, int d) {
        if (a.strides != null) {
            a.strides = remove(a.strides, d, a.strides[d + 1]);
        }
    }

    private static Dim[] remove(Dim[] values, int d, Dim merged) {
        Dim[] out = new Dim[values.length - 1];
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
