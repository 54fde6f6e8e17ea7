package dev.dvm.core.ir;

import java.util.List;

/**
 * A built kernel graph: nodes in topological order, the INPUT nodes by slot and the STORE nodes
 * by output index. Immutable; compared by identity.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes;
    private final List<Node> inputs;
    private final List<Node> outputs;
    /** Built on first use; racing threads build equal indexes, and its final fields make any of them safe to share. */
    private GraphIndex index;

    public Graph(String name, List<Node> nodes, List<Node> inputs, List<Node> outputs) {
        this.name = name;
        this.nodes = nodes;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /** The kernel's name. */
    public String name() {
        return name;
    }

    /** Every node, at the index of its id. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The INPUT nodes by slot. */
    public List<Node> inputs() {
        return inputs;
    }

    /** The STORE nodes by output index. */
    public List<Node> outputs() {
        return outputs;
    }

    /** The graph's structure as flat arrays, with liveness: shape-independent, computed once per graph. */
    public GraphIndex index() {
        GraphIndex i = index;
        if (i == null) {
            i = new GraphIndex(this);
            index = i;
        }
        return i;
    }

    @Override
    public String toString() {
        return "Graph[" + name + ", " + nodes.size() + " nodes]";
    }
}
