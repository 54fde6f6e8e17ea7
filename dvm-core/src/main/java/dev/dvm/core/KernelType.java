package dev.dvm.core;

/**
 * Kernel types, as in DVM. The builder makes {@link #VECTOR}, {@link #CUBE} and {@link #MIX}
 * kernels; the stacking types are reserved.
 */
public enum KernelType {
    /** Elementwise, broadcast, layout and reduce meta-ops in one tile program. */
    VECTOR,
    /** One matrix product, stored as it is. */
    CUBE,
    /**
     * One matrix product followed by elementwise ops of its shape (bias, scale, activations,
     * residual add, cast): the vector unit takes each product tile from the cube in the same launch.
     */
    MIX,
    /** Independent kernels stacked in one launch on disjoint cores. */
    PARALLEL,
    /** Kernels run in order in one launch. */
    SEQUENCE,
    /** One expression split automatically into a sequence. */
    SPLIT,
    /** A split redone at every eager flush. */
    EAGER
}
