package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramWriter;
import dev.dvm.core.DvmException;
import dev.dvm.core.compile.Body.Instr;
import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Instance;
import dev.dvm.core.ir.Node;
import dev.dvm.vm.NpuSpec;

/**
 * Compiles a normalised kernel instance into a verified-ready bytecode program for one device:
 * stage partitioning, lowering, folding, liveness allocation, tiling, events and emission (see
 * the package documentation).
 */
public final class Compiler {
    /** One writer per thread, its buffers reused: a compile allocates the program it returns, not its scratch. */
    private static final ThreadLocal<ProgramWriter> WRITERS = ThreadLocal.withInitial(ProgramWriter::new);

    private Compiler() {}

    /**
     * The program computing {@code instance} on {@code spec}. Slots: inputs, then outputs, then
     * workspaces.
     *
     * @throws DvmException when the instance needs something the instruction set or the device cannot do
     */
    public static Program compile(Instance instance, NpuSpec spec) {
        return compile(instance, spec, null);
    }

    /** As {@link #compile(Instance, NpuSpec)}, reusing (and adding to) remembered back-end plans when {@code plans} is not null. */
    static Program compile(Instance instance, NpuSpec spec, BackEndPlans plans) {
        boolean[] split = new boolean[instance.graph().nodes().size()];
        while (true) {
            try {
                return attempt(instance, spec, split, plans);
            } catch (Tiler.RowsDoNotFit e) {
                // a reduce stage whose row does not fit one tile: compute its reductions as partials and combine them
                for (int id : e.reduceNodes) {
                    split[id] = true;
                }
            }
        }
    }

    private static Program attempt(Instance instance, NpuSpec spec, boolean[] split, BackEndPlans plans) {
        Graph g = instance.graph();
        SlotTable slots = new SlotTable();
        for (int i = 0; i < g.inputs().size(); i++) {
            Node n = g.inputs().get(i);
            int slot = ((Attrs.Input) n.attrs()).slot();
            ElementType type = n.dtype().element();
            slots.add(Isa.SLOT_INPUT, type, View.bytesReached(type, 0, instance.inputStrides()[slot], instance.shape(n)));
        }
        for (int i = 0; i < g.outputs().size(); i++) {
            Node n = g.outputs().get(i);
            ElementType type = n.dtype().element();
            slots.add(Isa.SLOT_OUTPUT, type, View.bytesReached(type, 0, instance.outputStrides()[i], instance.shape(n)));
        }
        Partition partition = StagePartitioner.partition(instance, split, slots);
        if (partition.stages.isEmpty()) {
            throw new DvmException("kernel " + g.name() + " computes nothing: add an output");
        }
        ProgramWriter w = WRITERS.get().reset().simdWidth(spec.repeatBytes() / 4);
        long ub = 0;
        for (Partition.Stage stage : partition.stages) {
            ub = Math.max(ub, compileBody(w, StageLowering.lower(partition, stage, slots), spec, slots, plans));
        }
        slots.writeTo(w);
        return w.ubBytes(ub).toProgram();
    }

    /** Folds, synchronises, allocates, tiles and emits one body, then the combines of its split reductions. */
    private static long compileBody(ProgramWriter w, Body body, NpuSpec spec, SlotTable slots, BackEndPlans plans) {
        DomainFolder.fold(body);
        Instr[] code = body.code();
        UbAllocator alloc = plans != null ? plans.place(body, code) : BackEndPlans.allocateAndPlace(body, code, spec.events());
        Tiler.Tiling tiling = Tiler.tile(body, alloc.fullUnits, alloc.rowUnits, spec.ubBytes(), spec.cores());
        if (body.partials.isEmpty()) {
            return Emitter.emit(w, body, code, tiling, alloc);
        }
        int outer = body.extents.length - tiling.inner();
        ReduceCombiner.layOut(body, outer, tiling.colBlocks(), slots);
        long used = Emitter.emit(w, body, code, tiling, alloc);
        Body combine = ReduceCombiner.build(body.partials, tiling.colBlocks(), false, slots);
        try {
            return Math.max(used, compileBody(w, combine, spec, slots, plans));
        } catch (Tiler.RowsDoNotFit e) {
            combine = ReduceCombiner.build(body.partials, tiling.colBlocks(), true, slots);
            return Math.max(used, compileBody(w, combine, spec, slots, plans));
        }
    }
}
