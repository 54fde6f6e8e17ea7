package dev.dvm.core;

/**
 * How {@link KernelBuilder#groupedMatmul} splits a product into groups whose sizes are given at run
 * time (the mixture-of-experts case: one token matrix, one weight per expert).
 */
public enum GroupSplit {
    /** Rows of a [M, K] in consecutive groups, group g multiplied by b[g] of b [G, K, N]: the result is [M, N]. */
    M,
    /** K in consecutive groups, group g's slice of a [M, K] by its slice of b [K, N]: the result is [G, M, N]. */
    K
}
