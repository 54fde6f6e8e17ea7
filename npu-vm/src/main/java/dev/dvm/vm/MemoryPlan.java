package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;

/**
 * A pre-decoded LOAD or STORE: the UB buffer, the slot, the global element type and the element
 * strides split into the stage's outer (row) dims and inner (column) dims, or with flag ROWS the
 * outer strides and the column-block stride.
 */
record MemoryPlan(boolean load, int ubWord, int slot, ElementType type, boolean perRow, long offset,
        long[] outerStrides, long[] innerStrides, long colBlockStride) {}
