package dev.dvm.core;

import dev.dvm.core.ir.Node;

/**
 * A value in a kernel being built: the result of one meta-op. Its dtype and rank are known when
 * it is built; its dims may be dynamic until the kernel is normalised for concrete shapes.
 */
public final class Value {
    final KernelBuilder owner;
    final Node node;
    final int rank;

    Value(KernelBuilder owner, Node node, int rank) {
        this.owner = owner;
        this.node = node;
        this.rank = rank;
    }

    /** The element type, fixed when the value was built. */
    public DType dtype() {
        return node.dtype();
    }

    /** Number of dims, fixed when the value was built. */
    public int rank() {
        return rank;
    }

    @Override
    public String toString() {
        return node.toString();
    }
}
