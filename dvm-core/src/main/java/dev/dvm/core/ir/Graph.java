package dev.dvm.core.ir;

import java.util.List;

/**
 * A built kernel graph: nodes in topological order, the INPUT nodes by slot and the STORE nodes
 * by output index.
 */
public record Graph(String name, List<Node> nodes, List<Node> inputs, List<Node> outputs) {}
