package dev.dvm.core.ir;

import java.util.List;

/**
 * Shape-independent facts about a {@link Graph} that every instance's compile would otherwise
 * recompute: operand ids as arrays, which nodes reach an output, and how often each is read.
 * Immutable; arrays are indexed by node id and must not be mutated.
 */
public final class GraphIndex {
    private final int[][] inputIds;
    private final int[] dataInputs;
    private final boolean[] live;
    private final int[] uses;
    private final int[] soleStore;

    GraphIndex(Graph graph) {
        List<Node> nodes = graph.nodes();
        int n = nodes.size();
        inputIds = new int[n][];
        dataInputs = new int[n];
        live = new boolean[n];
        uses = new int[n];
        soleStore = new int[n];
        for (Node node : nodes) {
            int[] ids = new int[node.inputs().size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = node.input(i).id();
            }
            inputIds[node.id()] = ids;
            // BROADCAST's second input only gives the target shape
            dataInputs[node.id()] = node.op() == Op.BROADCAST ? 1 : ids.length;
        }
        for (int id = n - 1; id >= 0; id--) {
            live[id] |= nodes.get(id).op() == Op.STORE;
            if (live[id]) {
                for (int i = 0; i < dataInputs[id]; i++) {
                    live[inputIds[id][i]] = true;
                    uses[inputIds[id][i]]++;
                }
            }
        }
        java.util.Arrays.fill(soleStore, -1);
        for (Node node : nodes) {
            int src = node.op() == Op.STORE ? inputIds[node.id()][0] : -1;
            if (src >= 0 && uses[src] == 1) {
                soleStore[src] = node.id();
            }
        }
    }

    /** Number of nodes. */
    public int size() {
        return inputIds.length;
    }

    /** Id of operand {@code i} of node {@code id}. */
    public int input(int id, int i) {
        return inputIds[id][i];
    }

    /** Operands of node {@code id} whose elements are read (all but BROADCAST's shape-only second one). */
    public int dataInputs(int id) {
        return dataInputs[id];
    }

    /** Whether node {@code id} contributes to some output. */
    public boolean live(int id) {
        return live[id];
    }

    /** How many data operand slots of live nodes read node {@code id}. */
    public int uses(int id) {
        return uses[id];
    }

    /** The STORE that is the only reader of node {@code id}, or -1. */
    public int soleStore(int id) {
        return soleStore[id];
    }
}
