package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramStructure;
import dev.dvm.bytecode.ProgramWriter;
import dev.dvm.core.DvmException;
import dev.dvm.core.compile.Body.Instr;
import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Instance;
import dev.dvm.core.ir.Node;
import dev.dvm.vm.NpuSpec;
import java.util.ArrayList;
import java.util.List;

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
        return compile(instance, spec, null, null, null);
    }

    /**
     * As {@link #compile(Instance, NpuSpec)}, reusing (and adding to) remembered back-end plans when
     * {@code plans} is not null, replaying (and recording) front ends when {@code frontEnds} is not
     * null, and writing against {@code expected} (see {@link ProgramWriter#expect}) when not null.
     */
    static Program compile(Instance instance, NpuSpec spec, BackEndPlans plans, FrontEndTemplates frontEnds, ProgramStructure expected) {
        boolean[] split = new boolean[instance.graph().nodes().size()];
        while (true) {
            try {
                return attempt(instance, spec, split, plans, frontEnds, expected);
            } catch (Tiler.RowsDoNotFit e) {
                // a reduce stage whose row does not fit one tile: compute its reductions as partials and combine them
                for (int id : e.reduceNodes) {
                    split[id] = true;
                }
            } catch (Tiler.SplitK e) {
                // a product with fewer tiles than cores: its k chunks spread over the cores, then add up in order
                split[e.productNode] = true;
            }
        }
    }

    private static Program attempt(Instance instance, NpuSpec spec, boolean[] split, BackEndPlans plans, FrontEndTemplates frontEnds,
            ProgramStructure expected) {
        Graph g = instance.graph();
        SlotTable slots = new SlotTable(g.inputs().size() + g.outputs().size());
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
        List<Body> bodies = frontEnds != null ? frontEnds.replay(instance, split, slots) : null;
        if (bodies == null) {
            bodies = frontEnd(instance, split, slots, frontEnds);
        }
        ProgramWriter w = WRITERS.get().reset().expect(expected).simdWidth(spec.repeatBytes() / 4);
        long ub = 0;
        for (Body body : bodies) {
            ub = Math.max(ub, compileBody(w, body, spec, slots, plans));
        }
        slots.writeTo(w);
        return w.ubBytes(ub).toProgram();
    }

    /**
     * The shape-dependent passes (partition, lowering, folding) on {@code instance}: the folded
     * bodies of its stages in execution order, in back-end form. Every decision they take on a
     * shape number is recorded on a {@link Tape}; when the run read no number unguarded, the
     * bodies, tape and workspaces become a template of {@code frontEnds} (when not null).
     */
    private static List<Body> frontEnd(Instance instance, boolean[] split, SlotTable slots, FrontEndTemplates frontEnds) {
        Tape tape = new Tape();
        int firstWorkspace = slots.count();
        Partition partition = StagePartitioner.partition(instance, tape, split, slots);
        if (partition.stages.isEmpty()) {
            throw new DvmException("kernel " + instance.graph().name() + " computes nothing: add an output");
        }
        List<Body> folded = new ArrayList<>(partition.stages.size());
        for (Partition.Stage stage : partition.stages) {
            Body body = StageLowering.lower(partition, stage, slots);
            DomainFolder.fold(body);
            folded.add(body);
        }
        if (frontEnds != null && tape.replayable()) {
            frontEnds.record(instance, tape, split, folded, slots, firstWorkspace);
        }
        return FrontEndTemplates.instantiate(folded, tape.values());
    }

    /** Synchronises, allocates, tiles and emits one folded body, then the combines of its split reductions. */
    private static long compileBody(ProgramWriter w, Body body, NpuSpec spec, SlotTable slots, BackEndPlans plans) {
        Instr[] code = body.code();
        BackEndPlans.Plan plan = plans != null ? plans.place(body, code) : BackEndPlans.allocateAndPlace(body, code, spec.events());
        UbAllocator alloc = plan.alloc();
        Tiler.Tiling tiling = body.product() != null ? Tiler.tileCube(body, alloc.fullUnits, alloc.rowUnits, spec)
                : Tiler.tile(body, alloc.fullUnits, alloc.rowUnits, spec.ubBytes(), spec.cores());
        if (body.partials.isEmpty()) {
            return Emitter.emit(w, body, code, plan.sync(), tiling, alloc);
        }
        int outer = body.extents.length - tiling.inner();
        ReduceCombiner.layOut(body, outer, tiling.colBlocks(), slots);
        long used = Emitter.emit(w, body, code, plan.sync(), tiling, alloc);
        try {
            return Math.max(used, compileBody(w, combine(body.partials, tiling.colBlocks(), false, slots), spec, slots, plans));
        } catch (Tiler.RowsDoNotFit e) {
            return Math.max(used, compileBody(w, combine(body.partials, tiling.colBlocks(), true, slots), spec, slots, plans));
        }
    }

    /** The folded combine stage of split reductions, in back-end form. */
    private static Body combine(List<Body.Partial> partials, long colBlocks, boolean split, SlotTable slots) {
        Body combine = ReduceCombiner.build(partials, colBlocks, split, slots);
        DomainFolder.fold(combine);
        return combine.instantiate(combine.dims[0].tape.values());
    }
}
