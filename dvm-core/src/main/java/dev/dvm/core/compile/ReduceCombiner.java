package dev.dvm.core.compile;

import dev.dvm.core.ir.Shapes;
import dev.dvm.core.compile.Body.Access;
import dev.dvm.core.compile.Body.Instr;
import dev.dvm.core.compile.Body.Partial;
import dev.dvm.bytecode.Opcode;
import java.util.List;

/**
 * Builds the stage that combines the partial results of split reductions: its domain is the
 * producing stage's outer axes plus one column per column block, it loads each partials
 * workspace, reduces every row in column-block order (so the result never depends on how tiles
 * were spread over cores) and stores the row values to the reduction's targets. When even the
 * column blocks do not fit one tile, the combine is itself split and combined again.
 */
final class ReduceCombiner {
    private ReduceCombiner() {}

    /** The combine stage for {@code partials} (all from one stage, laid out by {@link #layOut}). */
    static Body build(List<Partial> partials, long colBlocks, boolean split, SlotTable slots) {
        long[] outer = partials.get(0).outerExtents();
        int k = outer.length;
        long[] extents = java.util.Arrays.copyOf(outer, k + 1);
        extents[k] = colBlocks;
        boolean[] inner = new boolean[k + 1];
        inner[k] = true;
        Body body = new Body(extents, inner, true, !split, new int[0]);
        for (Partial p : partials) {
            Instr load = new Instr(Opcode.LOAD);
            load.dst = body.newBuffer(false, p.type());
            load.access = new Access(p.store().slot, p.type(), 0, Shapes.contiguousStrides(extents), false, false);
            body.loads.add(load);
            Instr reduce = new Instr(p.reduce());
            reduce.a = load.dst;
            reduce.type = p.type();
            reduce.dst = body.newBuffer(true, p.type());
            body.vector.add(reduce);
            if (split) {
                Access partial = new Access(slots.workspace(p.type(), 0), p.type(), 0, null, true, true);
                body.stores.add(store(reduce.dst, partial));
                body.partials.add(new Partial(partial, p.reduce(), p.type(), outer, p.targets()));
            } else {
                for (Access t : p.targets()) {
                    body.stores.add(store(reduce.dst, new Access(t.slot, t.type, t.offset, t.strides.clone(), true, false)));
                }
            }
        }
        return body;
    }

    private static Instr store(int buffer, Access access) {
        Instr s = new Instr(Opcode.STORE);
        s.a = buffer;
        s.access = access;
        return s;
    }

    /**
     * Lays out the partials of a tiled stage: [outer axes..., column block] row-major in a
     * workspace sized for the stage's rows and {@code colBlocks}.
     */
    static void layOut(Body body, int outer, long colBlocks, SlotTable slots) {
        long[] dims = java.util.Arrays.copyOf(body.extents, outer + 1);
        dims[outer] = colBlocks;
        long[] strides = Shapes.contiguousStrides(dims);
        long elements = colBlocks;
        for (int d = 0; d < outer; d++) {
            elements *= body.extents[d];
        }
        for (Partial p : body.partials) {
            p.store().strides = java.util.Arrays.copyOf(strides, outer);
            p.store().blockStride = 1;
            slots.setBytes(p.store().slot, elements * p.type().byteSize());
        }
    }
}
