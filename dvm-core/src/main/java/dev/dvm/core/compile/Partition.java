package dev.dvm.core.compile;

import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.GraphIndex;
import dev.dvm.core.ir.Node;
import java.util.ArrayList;
import java.util.List;

/** The result of {@link StagePartitioner}: stages in execution order and where every value lives. */
final class Partition {
    final List<Stage> stages;
    /** Per node id (synthetic copies included). */
    final Value[] values;
    /** Where every shape number of the partition was recorded; lowering and folding record on it too. */
    final Tape tape;
    private final GraphIndex index;

    Partition(List<Stage> stages, Value[] values, Tape tape, GraphIndex index) {
        this.stages = stages;
        this.values = values;
        this.tape = tape;
        this.index = index;
    }

    /** Operand {@code i} of {@code v}. */
    Value input(Value v, int i) {
        return values[inputId(index, v.node, i)];
    }

    /** Id of operand {@code i} of {@code node}, from the graph's index unless the node is a synthetic copy (not in the graph). */
    static int inputId(GraphIndex index, Node node, int i) {
        return node.id() < index.size() ? index.input(node.id(), i) : node.input(i).id();
    }

    /** What the compiler knows about one node's value. */
    static final class Value {
        static final int[] NO_PRODUCERS = {};
        final Node node;
        final Dim[] shape;
        /** The stage computing it (as a buffer or an alias of one), or null. */
        Stage stage;
        /** False for split reductions: the stage holds only partial results. */
        boolean available;
        /** Per dim of the value: the stage axis it runs along, or -1 (extent 1, position unknown). */
        int[] map;
        /** One value per tile row (a reduction result or a value derived only from such results). */
        boolean row;
        /** The value whose buffer this one shares (PERMUTE, RESHAPE of 1s, COPY, equal CAST), or null. */
        Value aliasOf;
        /** Reductions: the stage axis of each dim of the reduced input. */
        int[] inputMap;
        /** Set when every element has this value (a CONST, a layout op of one, an empty reduction). */
        Attrs.Scalar scalar;
        /** Where the value can be read in global memory, or null. */
        View gm;
        /** Windows the computing stage (or the combine of a split reduction) must store the value to. */
        List<View> targets = List.of();
        /** Stages that write {@link #gm}. */
        int[] producers = NO_PRODUCERS;
        /** A matrix product: its operands as [..., M, K] and [..., K, N] views (transposes applied), with their shapes. */
        Product product;

        Value(Node node, Dim[] shape) {
            this.node = node;
            this.shape = shape;
        }

        boolean isMember() {
            return stage != null;
        }

        /** Most values are never stored: their target list is made on the first target. */
        void addTarget(View target) {
            if (targets.isEmpty()) {
                targets = new ArrayList<>(1);
            }
            targets.add(target);
        }
    }

    /**
     * The operands of a matrix product, read as [..., M, K] and [..., K, N] ([G, K, N] grouped by
     * rows); a grouped product's group list (else null) and group count (or, split over k, the
     * number of k chunks); {@code flags} its MATMUL flags (Isa.FLAG_GROUP_M ... FLAG_SUM_K, or 0).
     */
    record Product(View a, Dim[] aShape, View b, Dim[] bShape, View groups, Dim groupCount, int flags) {}

    /** A fused loop nest over one iteration domain. */
    static final class Stage {
        final int index;
        /** Extents of the domain axes in creation order (extent-1 dims are not axes). */
        final Dim[] extents;
        boolean[] reduced;
        boolean hasReduce;
        boolean split;
        boolean oneHot;
        /** Computes a matrix product: its domain is the product's, its tiles row × column blocks of it. */
        boolean cube;
        final List<Value> members;
        /** Indices of stages this one reads results of. */
        int[] deps = new int[0];

        /** {@code valueCapacity}: at most how many values may join, so the member list never grows. */
        Stage(int index, Dim[] extents, int valueCapacity) {
            this.index = index;
            this.extents = extents;
            this.members = new ArrayList<>(valueCapacity);
            this.reduced = new boolean[extents.length];
        }

        void addDep(int stage) {
            for (int d : deps) {
                if (d == stage) {
                    return;
                }
            }
            deps = java.util.Arrays.copyOf(deps, deps.length + 1);
            deps[deps.length - 1] = stage;
        }
    }
}
