package dev.dvm.core.compile;

import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Node;
import java.util.ArrayList;
import java.util.List;

/** The result of {@link StagePartitioner}: stages in execution order and where every value lives. */
final class Partition {
    final List<Stage> stages;
    /** Per node id (synthetic copies included). */
    final Value[] values;

    Partition(List<Stage> stages, Value[] values) {
        this.stages = stages;
        this.values = values;
    }

    /** What the compiler knows about one node's value. */
    static final class Value {
        final Node node;
        final long[] shape;
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
        final List<View> targets = new ArrayList<>(1);
        /** Stages that write {@link #gm}. */
        int[] producers = new int[0];

        Value(Node node, long[] shape) {
            this.node = node;
            this.shape = shape;
        }

        boolean isMember() {
            return stage != null;
        }
    }

    /** A fused loop nest over one iteration domain. */
    static final class Stage {
        final int index;
        /** Extents of the domain axes in creation order (extent-1 dims are not axes). */
        final long[] extents;
        boolean[] reduced;
        boolean hasReduce;
        boolean split;
        boolean oneHot;
        final List<Value> members = new ArrayList<>();
        /** Indices of stages this one reads results of. */
        int[] deps = new int[0];

        Stage(int index, long[] extents) {
            this.index = index;
            this.extents = extents;
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
