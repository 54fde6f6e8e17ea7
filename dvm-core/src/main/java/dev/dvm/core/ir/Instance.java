package dev.dvm.core.ir;

/**
 * A graph normalised for concrete input layouts: every node's shape, and the element strides of
 * every input and output tensor (row-major contiguous unless the caller bound views).
 *
 * @param graph the kernel graph
 * @param shapes shape of node {@code id} at index {@code id}
 * @param inputStrides element strides of input slot {@code i} (same rank as its shape)
 * @param outputStrides element strides of output {@code i}
 */
public record Instance(Graph graph, long[][] shapes, long[][] inputStrides, long[][] outputStrides) {
    /** The shape of {@code n} in this instance (owned by the instance: do not mutate). */
    public long[] shape(Node n) {
        return shapes[n.id()];
    }
}
