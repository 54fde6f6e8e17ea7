package dev.dvm.core;

/** Kernel types, as in DVM. This version builds {@link #VECTOR} kernels; the others are reserved. */
public enum KernelType {
    /** Elementwise, broadcast, layout and reduce meta-ops in one tile program. */
    VECTOR,
    /** One matrix product. */
    CUBE,
    /** One matrix product with an elementwise vector epilogue. */
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
