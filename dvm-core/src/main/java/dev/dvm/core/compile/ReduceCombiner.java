package dev.dvm.core.compile;

import dev.dvm.core.ir.Shapes;
import dev.dvm.core.compile.Body.Access;
import dev.dvm.core.compile.Body.Instr;
import dev.dvm.core.compile.Body.Partial;
import dev.dvm.core.compile.Body.PartialPlan;
import dev.dvm.core.compile.Body.Window;
import java.util.ArrayList;
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

    /**
     * The combine stage for {@code partials} (all from one stage, laid out by {@link #layOut}), as
     * a front-end body for {@link DomainFolder}. Its numbers come from the tiling, not the
     * instance: they are constants on a tape of their own, which is never replayed.
     */
    static Body build(List<Partial> partials, long colBlocks, boolean split, SlotTable slots) {
        Tape tape = new Tape();
        long[] outer = partials.get(0).outerExtents();
        int k = outer.length;
        long[] extents = java.util.Arrays.copyOf(outer, k + 1);
        extents[k] = colBlocks;
        boolean[] inner = new boolean[k + 1];
        inner[k] = true;
        Body body = new Body(Dim.constants(tape, extents), inner, true, !split, new int[0]);
        Dim[] loadStrides = Dim.constants(tape, Shapes.contiguousStrides(extents));
        for (Partial p : partials) {
            Instr load = new Instr(Opcode.LOAD);
            load.dst = body.newBuffer(false, p.type());
            load.window = new Window(p.store().slot, p.type(), tape.zero, loadStrides, false, false);
            body.loads.add(load);
            Instr reduce = new Instr(p.reduce());
            reduce.a = load.dst;
            reduce.type = p.type();
            reduce.dst = body.newBuffer(true, p.type());
            body.vector.add(reduce);
            List<Window> targets = new ArrayList<>(p.targets().size());
            for (Access t : p.targets()) {
                targets.add(new Window(t.slot, t.type, tape.constant(t.offset), Dim.constants(tape, t.strides), true, false));
            }
            if (split) {
                Window partial = new Window(slots.workspace(p.type(), tape.zero), p.type(), tape.zero, null, true, true);
                body.stores.add(store(reduce.dst, partial));
                body.partialPlans.add(new PartialPlan(partial, p.reduce(), p.type(), Dim.constants(tape, outer), targets));
            } else {
                for (Window t : targets) {
                    body.stores.add(store(reduce.dst, t));
                }
            }
        }
        return body;
    }

    private static Instr store(int buffer, Window window) {
        Instr s = new Instr(Opcode.STORE);
        s.a = buffer;
        s.window = window;
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
