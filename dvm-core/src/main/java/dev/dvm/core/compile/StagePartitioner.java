package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.core.DType;
import dev.dvm.core.GroupSplit;
import dev.dvm.core.compile.Partition.Stage;
import dev.dvm.core.compile.Partition.Value;
import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.GraphIndex;
import dev.dvm.core.ir.Instance;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pass 1: groups the nodes of an instance into stages, each one fused loop over one iteration
 * domain, and decides where every value lives: in a stage's UB buffers, as a scalar, or in
 * global memory behind a strided view. Nodes are visited in topological order; each joins the
 * stage holding its operands when its shape lines up with that stage's domain, else a new stage.
 * Layout ops fold into views of global tensors, or into free re-mappings of in-stage values.
 */
final class StagePartitioner {
    /** Unrelated stages an operand-free node tries to join before opening its own. */
    private static final int UNRELATED_TRIES = 8;

    private static final Value[] NO_VALUES = {};

    private final Instance instance;
    private final Tape tape;
    private final GraphIndex index;
    private final boolean[] split;
    private final SlotTable slots;
    /** Per node id, then synthetic copies. */
    private Value[] values;
    private int valueCount;
    private final List<Stage> stages = new ArrayList<>(4);
    private final int inputCount;
    /** {@link #elementwiseMap} scratch, per node dim; grown to the largest rank seen. */
    private int[] hard = new int[8], soft = new int[8];
    /** {@link #elementwiseMap} scratch, per stage axis. */
    private boolean[] used = new boolean[8];
    /** {@link #candidates} scratch: every caller is done with the list before the next call. */
    private final List<Stage> candidates = new ArrayList<>(UNRELATED_TRIES);
    /** Set by {@link #elementwiseMap} with each map it returns. */
    private boolean mapIsRow;

    private StagePartitioner(Instance instance, Tape tape, boolean[] split, SlotTable slots) {
        this.instance = instance;
        this.tape = tape;
        this.index = instance.graph().index();
        this.split = split;
        this.slots = slots;
        this.inputCount = instance.graph().inputs().size();
    }

    /**
     * Partitions {@code instance}; reductions flagged in {@code split} (by node id) compute
     * per-column-block partials. Workspaces are added to {@code slots}. The instance's dims and
     * strides enter as leaves of {@code tape}, so every decision on them is recorded there.
     */
    static Partition partition(Instance instance, Tape tape, boolean[] split, SlotTable slots) {
        return new StagePartitioner(instance, tape, split, slots).run();
    }

    private Partition run() {
        List<Node> nodes = instance.graph().nodes();
        values = new Value[nodes.size()];
        for (Node n : nodes) {
            values[valueCount++] = new Value(n, tape.shape(n.id(), instance.shape(n)));
        }
        for (int id = 0; id < nodes.size(); id++) {
            if (index.live(id)) {
                visit(values[id]);
            }
        }
        return new Partition(executionOrder(), valueCount == values.length ? values : Arrays.copyOf(values, valueCount), tape, index);
    }

    private Value in(Value v, int i) {
        return values[Partition.inputId(index, v.node, i)];
    }

    /** The output STORE a CONCAT is written into directly (its only reader), or -1. */
    private int concatIntoStore(Value concat) {
        int id = concat.node.id();
        return id < index.size() && concat.node.op() == Op.CONCAT ? index.soleStore(id) : -1;
    }

    private void visit(Value v) {
        Node n = v.node;
        switch (n.op()) {
            case INPUT -> {
                int slot = ((Attrs.Input) n.attrs()).slot();
                v.gm = new View(slot, n.dtype().element(), tape.zero, tape.inputStrides(slot, instance.inputStrides()[slot]));
            }
            case CONST -> v.scalar = (Attrs.Scalar) n.attrs();
            case STORE -> store(v);
            case CONCAT -> concat(v);
            case BROADCAST, RESHAPE, PERMUTE, SLICE, SPLIT -> layout(v);
            case REDUCE_SUM, REDUCE_MAX, REDUCE_MIN, ELEM_ANY -> reduce(v);
            case ONE_HOT -> oneHot(v);
            case MATMUL -> product(v);
            default -> elementwise(v, false);
        }
    }

    // ---- outputs and concat ----

    private void store(Value v) {
        Value x = in(v, 0);
        int index = ((Attrs.Output) v.node.attrs()).index();
        if (concatIntoStore(x) == v.node.id()) {
            return;
        }
        View out = new View(inputCount + index, v.node.dtype().element(), tape.zero, tape.outputStrides(index, instance.outputStrides()[index]));
        (x.isMember() ? x : copyOf(x)).addTarget(out);
    }

    private void concat(Value v) {
        int axis = ((Attrs.Axes) v.node.attrs()).axes()[0];
        int storeId = concatIntoStore(v);
        View dest;
        if (storeId >= 0) {
            int index = ((Attrs.Output) instance.graph().nodes().get(storeId).attrs()).index();
            dest = new View(inputCount + index, v.node.dtype().element(), tape.zero, tape.outputStrides(index, instance.outputStrides()[index]));
        } else {
            dest = workspace(v);
            v.gm = dest;
        }
        int[] producers = Value.NO_PRODUCERS;
        Dim along = tape.zero;
        for (int i = 0; i < v.node.inputs().size(); i++) {
            Value part = in(v, i);
            View slice = new View(dest.slot(), dest.type(), dest.offset().plus(along.times(dest.strides()[axis])), dest.strides());
            along = along.plus(part.shape[axis]);
            // An empty part writes nothing, except that an empty result keeps its first part's (0-tile)
            // stage: a program needs a stage, and a kernel whose outputs are all empty still runs.
            if (count(part.shape).isZero() && (i > 0 || tape.zero.lt(count(v.shape)))) {
                continue;
            }
            Value writer = part.isMember() ? part : copyOf(part);
            writer.addTarget(slice);
            producers = union(producers, writer.stage.index);
        }
        v.producers = producers;
    }

    /** A synthetic COPY of {@code x}, computed in a stage so that it can be stored. */
    private Value copyOf(Value x) {
        Value c = synthetic(new Node(valueCount, Op.COPY, List.of(x.node), x.node.dtype(), new Attrs.None()), x.shape);
        elementwise(c, true);
        return c;
    }

    /** A value of a node the compiler adds (id {@link #valueCount}), not in the graph. */
    private Value synthetic(Node node, Dim[] shape) {
        Value c = new Value(node, shape);
        if (valueCount == values.length) {
            values = Arrays.copyOf(values, valueCount * 2);
        }
        values[valueCount++] = c;
        return c;
    }

    // ---- layout ----

    private void layout(Value v) {
        Value src = in(v, 0);
        if (src.scalar != null) {
            v.scalar = src.scalar;
            return;
        }
        if (src.isMember() && src.available && alias(v, src)) {
            return;
        }
        View base = gmOf(src);
        View view = switch (v.node.op()) {
            case BROADCAST -> ViewAlgebra.broadcast(base, src.shape, v.shape);
            case PERMUTE -> ViewAlgebra.permute(base, ((Attrs.Axes) v.node.attrs()).axes());
            case SLICE -> ViewAlgebra.slice(base, src.shape, (Attrs.Slice) v.node.attrs());
            case SPLIT -> ViewAlgebra.split(base, src.shape, (Attrs.Split) v.node.attrs());
            default -> ViewAlgebra.reshape(base, src.shape, v.shape);
        };
        if (view == null) {
            src = copyOf(src);
            view = ViewAlgebra.reshape(gmOf(src), src.shape, v.shape);
        }
        v.gm = view;
        v.producers = producersOf(src);
    }

    /** Re-maps an in-stage value without computing: PERMUTE, RESHAPE that only adds or drops 1s, BROADCAST. */
    private boolean alias(Value v, Value src) {
        Stage t = src.stage;
        int[] map;
        boolean row = src.row;
        switch (v.node.op()) {
            case PERMUTE -> {
                int[] perm = ((Attrs.Axes) v.node.attrs()).axes();
                map = new int[perm.length];
                for (int i = 0; i < perm.length; i++) {
                    map[i] = src.map[perm[i]];
                }
            }
            case RESHAPE -> {
                map = unitReshapeMap(src, v.shape);
                if (map == null) {
                    return false;
                }
            }
            case BROADCAST -> {
                Value[] inputs = {src};
                map = elementwiseMap(v, inputs, t);
                if (map == null) {
                    return false;
                }
                if (src.row && !mapIsRow) {
                    join(v, t, map, false, inputs);
                    return true;
                }
                row = mapIsRow;
            }
            default -> {
                return false;
            }
        }
        join(v, t, map, row, NO_VALUES);
        v.aliasOf = src.aliasOf != null ? src.aliasOf : src;
        return true;
    }

    /** The map of {@code src} reshaped to {@code shape} when both have the same dims other than 1s, else null. */
    private static int[] unitReshapeMap(Value src, Dim[] shape) {
        int[] map = new int[shape.length];
        int j = 0;
        for (int i = 0; i < shape.length; i++) {
            map[i] = -1;
            if (!shape[i].isOne()) {
                while (j < src.shape.length && src.shape[j].isOne()) {
                    j++;
                }
                if (j == src.shape.length || !src.shape[j].eq(shape[i])) {
                    return null;
                }
                map[i] = src.map[j++];
            }
        }
        while (j < src.shape.length) {
            if (!src.shape[j++].isOne()) {
                return null;
            }
        }
        return map;
    }

    // ---- elementwise ----

    private void elementwise(Value v, boolean forceCompute) {
        // synthetic copies are not in the index; every elementwise op reads all its operands
        Value[] inputs = new Value[v.node.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = in(v, i);
        }
        Op op = v.node.op();
        boolean identity = op == Op.COPY || (op == Op.CAST && castIsIdentity(inputs[0].node.dtype(), v.node.dtype()));
        if (identity && !forceCompute) {
            Value x = inputs[0];
            if (x.scalar != null) {
                v.scalar = x.scalar;
                return;
            }
            if (!x.isMember()) {
                v.gm = x.gm;
                v.producers = x.producers;
                return;
            }
            if (x.available) {
                join(v, x.stage, x.map.clone(), x.row, NO_VALUES);
                v.aliasOf = x.aliasOf != null ? x.aliasOf : x;
                return;
            }
        }
        List<Stage> cands = candidates(inputs);
        for (int i = 0; i < cands.size(); i++) {
            Stage t = cands.get(i);
            int[] map = elementwiseMap(v, inputs, t);
            if (map != null && dependenciesAllow(inputs, t)) {
                join(v, t, map, mapIsRow, inputs);
                return;
            }
        }
        Stage t = newStage(v.shape);
        join(v, t, identityMap(v.shape), false, inputs);
    }

    /** CASTs that change no value held in UB: same type, F16/BF16 widened to F32, BOOL to I32. */
    static boolean castIsIdentity(DType from, DType to) {
        return from == to || (to == DType.F32 && from.isFloat()) || (from == DType.BOOL && to == DType.I32);
    }

    /** The stages of in-stage operands (latest first), or else the latest unrelated stages. */
    private List<Stage> candidates(Value[] inputs) {
        List<Stage> c = candidates;
        c.clear();
        for (Value x : inputs) {
            if (x.isMember() && x.available && !c.contains(x.stage)) {
                c.add(x.stage);
            }
        }
        if (c.isEmpty()) {
            for (int s = stages.size() - 1; s >= 0 && s >= stages.size() - UNRELATED_TRIES; s--) {
                c.add(stages.get(s));
            }
        } else {
            c.sort((a, b) -> Integer.compare(b.index, a.index));
        }
        return c;
    }

    /**
     * The stage axis of each dim of an elementwise node placed in {@code t} (operands right-aligned,
     * NumPy style), or null when the node cannot run over t's domain. A map returned sets
     * {@link #mapIsRow}: whether the node is a row value (one per kept index of a reduce stage).
     */
    private int[] elementwiseMap(Value v, Value[] inputs, Stage t) {
        int rank = v.shape.length;
        if (hard.length < rank) {
            hard = new int[rank];
            soft = new int[rank];
        }
        Arrays.fill(hard, 0, rank, -1);
        Arrays.fill(soft, 0, rank, -1);
        boolean anyFull = false;
        for (Value x : inputs) {
            if (x.stage != t || !x.available) {
                continue;
            }
            anyFull |= !x.row;
            int offset = rank - x.shape.length;
            for (int i = 0; i < x.shape.length; i++) {
                int a = x.map[i];
                if (!x.shape[i].isOne()) {
                    if (hard[i + offset] >= 0 && hard[i + offset] != a) {
                        return null;
                    }
                    hard[i + offset] = a;
                } else if (a >= 0) {
                    soft[i + offset] = a;
                }
            }
        }
        int axes = t.extents.length;
        if (used.length < axes) {
            used = new boolean[axes];
        }
        Arrays.fill(used, 0, axes, false);
        int[] map = new int[rank];
        for (int p = 0; p < rank; p++) {
            map[p] = -1;
            if (!v.shape[p].isOne() && hard[p] >= 0) {
                if (used[hard[p]] || !t.extents[hard[p]].eq(v.shape[p])) {
                    return null;
                }
                used[hard[p]] = true;
                map[p] = hard[p];
            }
        }
        int next = 0;
        for (int p = 0; p < rank; p++) {
            if (v.shape[p].isOne()) {
                map[p] = soft[p];
            } else if (map[p] < 0) {
                int a = soft[p];
                if (a < 0 || used[a] || !t.extents[a].eq(v.shape[p])) {
                    while (next < axes && (used[next] || !t.extents[next].eq(v.shape[p]))) {
                        next++;
                    }
                    if (next == axes) {
                        return null;
                    }
                    a = next;
                }
                used[a] = true;
                map[p] = a;
            }
        }
        boolean all = true;
        boolean kept = t.hasReduce && !t.split;
        for (int a = 0; a < axes; a++) {
            all &= used[a];
            kept &= used[a] != t.reduced[a];
        }
        if (all) {
            mapIsRow = false;
            return map;
        }
        if (kept && !anyFull) {
            mapIsRow = true;
            return map;
        }
        return null;
    }

    // ---- reductions ----

    private void reduce(Value v) {
        Value x = in(v, 0);
        Attrs.Reduce attrs = (Attrs.Reduce) v.node.attrs();
        boolean anyReal = false;
        for (int a : attrs.axes()) {
            if (x.shape[a].isZero()) {
                v.scalar = identity(v.node);
                return;
            }
            anyReal |= !x.shape[a].isOne();
        }
        if (!anyReal) {
            reduceOverUnitAxes(v, x);
            return;
        }
        List<Stage> cands = x.isMember() && x.available ? List.of(x.stage) : candidates(NO_VALUES);
        for (Stage t : cands) {
            if (joinReduce(v, x, t, attrs)) {
                return;
            }
        }
        Stage t = newStage(x.shape);
        int[] identity = identityMap(x.shape);
        for (int a : attrs.axes()) {
            if (identity[a] >= 0) {
                t.reduced[identity[a]] = true;
            }
        }
        t.hasReduce = true;
        t.split = split[v.node.id()];
        commitReduce(v, x, t, identityMap(x.shape), attrs);
    }

    /** A reduction over extent-1 axes only keeps every value: a reshape. */
    private void reduceOverUnitAxes(Value v, Value x) {
        if (x.scalar != null) {
            v.scalar = x.scalar;
        } else if (x.isMember() && x.available) {
            join(v, x.stage, unitReshapeMap(x, v.shape), x.row, NO_VALUES);
            v.aliasOf = x.aliasOf != null ? x.aliasOf : x;
        } else {
            View base = gmOf(x);
            v.gm = ViewAlgebra.reshape(base, x.shape, v.shape);
            v.producers = producersOf(x);
        }
    }

    private boolean joinReduce(Value v, Value x, Stage t, Attrs.Reduce attrs) {
        if (t.oneHot) {
            return false;
        }
        int[] xmap;
        if (x.stage == t && x.available) {
            if (x.row) {
                return false;
            }
            xmap = x.map;
        } else {
            xmap = sameDomainMap(x.shape, t);
            if (xmap == null || !dependenciesAllow(new Value[] {x}, t)) {
                return false;
            }
        }
        boolean[] set = new boolean[t.extents.length];
        for (int a : attrs.axes()) {
            if (!x.shape[a].isOne()) {
                set[xmap[a]] = true;
            }
        }
        boolean s = split[v.node.id()];
        if (t.hasReduce && (!Arrays.equals(set, t.reduced) || t.split != s)) {
            return false;
        }
        t.hasReduce = true;
        t.reduced = set;
        t.split = s;
        commitReduce(v, x, t, xmap, attrs);
        return true;
    }

    private void commitReduce(Value v, Value x, Stage t, int[] xmap, Attrs.Reduce attrs) {
        boolean[] reduced = new boolean[x.shape.length];
        for (int a : attrs.axes()) {
            reduced[a] = true;
        }
        int[] map = new int[v.shape.length];
        int k = 0;
        for (int d = 0; d < x.shape.length; d++) {
            if (!reduced[d] || attrs.keepDims()) {
                map[k++] = xmap[d];
            }
        }
        join(v, t, map, true, new Value[] {x});
        v.inputMap = xmap;
        v.available = !t.split;
    }

    /** The result of reducing over an empty axis. */
    private static Attrs.Scalar identity(Node n) {
        DType t = n.dtype();
        return switch (n.op()) {
            case REDUCE_MAX -> t.isFloat() ? new Attrs.Scalar(Double.NEGATIVE_INFINITY, 0)
                    : new Attrs.Scalar(0, t == DType.I64 ? Long.MIN_VALUE : t == DType.I32 ? Integer.MIN_VALUE : 0);
            case REDUCE_MIN -> t.isFloat() ? new Attrs.Scalar(Double.POSITIVE_INFINITY, 0)
                    : new Attrs.Scalar(0, t == DType.I64 ? Long.MAX_VALUE : t == DType.I32 ? Integer.MAX_VALUE : 1);
            default -> new Attrs.Scalar(0, 0);
        };
    }

    // ---- one-hot ----

    private void oneHot(Value v) {
        Stage t = newStage(v.shape);
        t.oneHot = true;
        join(v, t, identityMap(v.shape), false, new Value[] {in(v, 0)});
    }

    // ---- products ----

    /**
     * A product opens a cube stage over its result's domain; the epilogue joins it as elementwise
     * ops do. The operands are read from global memory through their views, transposes applied.
     */
    private void product(Value v) {
        Attrs.MatMul attrs = (Attrs.MatMul) v.node.attrs();
        Value a = in(v, 0), b = in(v, 1);
        if (split[v.node.id()]) {
            productInChunks(v, a, b, attrs);
            return;
        }
        Value groups = attrs.split() != null ? in(v, 2) : null;
        Stage t = newStage(v.shape);
        t.cube = true;
        join(v, t, identityMap(v.shape), false, groups != null ? new Value[] {a, b, groups} : new Value[] {a, b});
        int flags = attrs.split() == null ? 0 : attrs.split() == GroupSplit.M ? Isa.FLAG_GROUP_M : Isa.FLAG_GROUP_K;
        v.product = new Partition.Product(matrix(a, attrs.transA()), matrix(a.shape, attrs.transA()), matrix(b, attrs.transB()),
                matrix(b.shape, attrs.transB()), groups != null ? gmOf(groups) : null, groups != null ? groups.shape[0] : null, flags);
    }

    /**
     * Split-k, for a product with fewer tiles than cores: a cube stage over [chunks, ...] computes
     * every k chunk's sum into a workspace, spread over the cores, and the product's own stage adds
     * them up in chunk order from +0.0 (its epilogue joins it there). That is the unsplit order, so
     * the bits are the same.
     */
    private void productInChunks(Value v, Value a, Value b, Attrs.MatMul attrs) {
        Dim[] aShape = matrix(a.shape, attrs.transA());
        Dim chunks = aShape[aShape.length - 1].plus(tape.constant(Isa.CUBE_K_CHUNK - 1)).over(Isa.CUBE_K_CHUNK);
        Dim[] shape = new Dim[v.shape.length + 1];
        shape[0] = chunks;
        System.arraycopy(v.shape, 0, shape, 1, v.shape.length);
        Value sums = synthetic(new Node(valueCount, Op.MATMUL, v.node.inputs(), v.node.dtype(), attrs), shape);
        Stage parts = newStage(shape);
        parts.cube = true;
        join(sums, parts, identityMap(shape), false, new Value[] {a, b});
        sums.product = new Partition.Product(matrix(a, attrs.transA()), aShape, matrix(b, attrs.transB()), matrix(b.shape, attrs.transB()), null,
                chunks, Isa.FLAG_SPLIT_K);
        View w = gmOf(sums);
        Stage t = newStage(v.shape);
        t.cube = true;
        join(v, t, identityMap(v.shape), false, new Value[] {sums});
        // the chunk sums of one element lie one workspace stride apart: k runs over them
        View perElement = new View(w.slot(), w.type(), w.offset(), Arrays.copyOfRange(w.strides(), 1, shape.length));
        v.product = new Partition.Product(perElement, v.shape, w, shape, null, chunks, Isa.FLAG_SUM_K);
    }

    /** x's global view, its last two dims swapped when {@code transposed}. */
    private View matrix(Value x, boolean transposed) {
        View g = gmOf(x);
        return transposed ? ViewAlgebra.permute(g, lastTwoSwapped(x.shape.length)) : g;
    }

    private static Dim[] matrix(Dim[] shape, boolean transposed) {
        if (!transposed) {
            return shape;
        }
        Dim[] out = shape.clone();
        out[shape.length - 2] = shape[shape.length - 1];
        out[shape.length - 1] = shape[shape.length - 2];
        return out;
    }

    private static int[] lastTwoSwapped(int rank) {
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return perm;
    }

    // ---- stages and dependencies ----

    private Stage newStage(Dim[] shape) {
        int[] map = identityMap(shape);
        int real = 0;
        for (int a : map) {
            real += a >= 0 ? 1 : 0;
        }
        Dim[] extents = new Dim[real];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            Dim d = shape[i];
            if (map[i] >= 0) {
                if (d.gt(Isa.MAX_EXTENT)) {
                    throw new dev.dvm.core.DvmException("dim " + d + " of shape " + Arrays.toString(shape)
                            + " exceeds the bytecode's extent limit " + Isa.MAX_EXTENT + "; reshape it into smaller dims");
                }
                extents[k++] = d;
            }
        }
        Stage t = new Stage(stages.size(), extents, values.length);
        stages.add(t);
        return t;
    }

    /** Dims other than 1 in order onto the stage axes in order. */
    private static int[] identityMap(Dim[] shape) {
        int[] map = new int[shape.length];
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            map[d] = !shape[d].isOne() ? k++ : -1;
        }
        return map;
    }

    /** identityMap when the shape's dims other than 1 are exactly the stage's axes, else null. */
    private static int[] sameDomainMap(Dim[] shape, Stage t) {
        int[] map = identityMap(shape);
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            if (map[d] >= 0) {
                if (k == t.extents.length || !t.extents[k].eq(shape[d])) {
                    return null;
                }
                k++;
            }
        }
        return k == t.extents.length ? map : null;
    }

    /** Joining {@code t} must not make it read a result of a stage that runs after it. */
    private boolean dependenciesAllow(Value[] inputs, Stage t) {
        for (Value x : inputs) {
            if ((x.stage == t && x.available) || x.scalar != null) {
                continue;
            }
            if (x.isMember() ? dependsOn(x.stage.index, t.index) : anyDependsOn(x.producers, t.index)) {
                return false;
            }
        }
        return true;
    }

    private boolean anyDependsOn(int[] stages, int on) {
        for (int s : stages) {
            if (dependsOn(s, on)) {
                return true;
            }
        }
        return false;
    }

    private boolean dependsOn(int stage, int on) {
        if (stage == on) {
            return true;
        }
        for (int d : stages.get(stage).deps) {
            if (dependsOn(d, on)) {
                return true;
            }
        }
        return false;
    }

    private void join(Value v, Stage t, int[] map, boolean row, Value[] inputs) {
        v.stage = t;
        v.available = true;
        v.map = map;
        v.row = row;
        t.members.add(v);
        for (Value x : inputs) {
            if ((x.stage == t && x.available) || x.scalar != null) {
                continue;
            }
            gmOf(x);
            if (x.isMember()) {
                t.addDep(x.stage.index);
            } else {
                for (int p : x.producers) {
                    t.addDep(p);
                }
            }
        }
    }

    private static int[] producersOf(Value x) {
        return x.isMember() ? new int[] {x.stage.index} : x.producers;
    }

    /** Where {@code x} is readable in global memory; a computed value gets a workspace its stage stores to. */
    private View gmOf(Value x) {
        if (x.gm == null) {
            x.gm = workspace(x);
            x.addTarget(x.gm);
        }
        return x.gm;
    }

    private View workspace(Value x) {
        ElementType type = x.node.dtype().element().computeType();
        return new View(slots.workspace(type, count(x.shape)), type, tape.zero, Dim.contiguousStrides(tape, x.shape));
    }

    private Dim count(Dim[] shape) {
        return Dim.product(tape, shape);
    }

    private static int[] union(int[] set, int stage) {
        for (int s : set) {
            if (s == stage) {
                return set;
            }
        }
        int[] out = Arrays.copyOf(set, set.length + 1);
        out[set.length] = stage;
        return out;
    }

    /** Stages in an order where every stage runs after the stages whose results it reads (creation order otherwise). */
    private List<Stage> executionOrder() {
        List<Stage> order = new ArrayList<>(stages.size());
        boolean[] done = new boolean[stages.size()];
        while (order.size() < stages.size()) {
            for (Stage t : stages) {
                if (!done[t.index] && ready(t, done)) {
                    done[t.index] = true;
                    order.add(t);
                    break;
                }
            }
        }
        return order;
    }

    private static boolean ready(Stage t, boolean[] done) {
        for (int d : t.deps) {
            if (!done[d]) {
                return false;
            }
        }
        return true;
    }
}
