package dev.dvm.vm;

import java.lang.foreign.MemorySegment;

/**
 * A stage compiled by the JIT tier ({@link JitCompiler}): runs tiles {@code [first, end)} of
 * {@code st} with the same effect on global memory as {@link TileInterpreter#run}. Stateless,
 * so one instance serves every core and every instance of the stage's structure.
 */
interface CompiledStage {
    void run(StagePlan st, long first, long end, MemorySegment[] segments, long[] bases);
}
