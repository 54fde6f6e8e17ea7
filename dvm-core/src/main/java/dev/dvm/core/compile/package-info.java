/**
 * The compiler: a normalised {@link dev.dvm.core.ir.Instance} to a bytecode
 * {@link dev.dvm.bytecode.Program}, one pass per class, driven by {@link dev.dvm.core.compile.Compiler}.
 *
 * <h2>Why stages</h2>
 * A stage is one fused loop over one iteration domain, so every element is loaded once, computed
 * through the whole chain in UB and stored once. {@link dev.dvm.core.compile.StagePartitioner}
 * walks the graph in topological order and puts a node in the stage holding its operands when the
 * node's dims line up with that stage's axes (extent-1 dims are not axes). Reductions make a stage a
 * reduce stage: kept axes become rows, reduced axes columns, and results are row values usable in
 * the same stage, so softmax, LayerNorm and RMSNorm are one stage. A row too long for one tile is
 * split: the stage stores per-column-block partials and {@link dev.dvm.core.compile.ReduceCombiner}
 * adds a stage that reduces them in block order, so results never depend on the core count.
 * Layout ops on global tensors become strided views folded into LOADs; PERMUTE, BROADCAST and
 * RESHAPEs that only add or drop 1s re-map in-stage values for free; anything else (and values read
 * by later stages) goes through a workspace. CONCAT stores each part into its slice.
 *
 * <h2>How tiling chooses</h2>
 * {@link dev.dvm.core.compile.DomainFolder} merges axes every window steps over as one, so
 * contiguous elementwise kernels have one axis. {@link dev.dvm.core.compile.UbAllocator} places
 * buffers by liveness in units of one full tile, which gives the peak live buffers independent of
 * the tile size; {@link dev.dvm.core.compile.Tiler} then takes the largest tile the UB holds (DVM's
 * free UB / (element bytes × peak buffers), capped at the 4K elements measured best), keeps whole
 * rows when they fit, cuts columns into equal 8-multiple blocks otherwise, and picks the tile count
 * minimising ⌈tiles / cores⌉ × (tile elements + per-tile overhead), preferring multiples of the cores.
 *
 * <h2>How the front end is replayed</h2>
 * Partition, lowering and folding hold every shape number (extent, stride, offset, element count)
 * as a {@link dev.dvm.core.compile.Dim}: an entry of the compile's
 * {@link dev.dvm.core.compile.Tape}, with no accessor for its value. Comparisons are tape calls that
 * record their outcome as a guard; arithmetic appends an entry. Their folded bodies therefore say
 * which numbers they hold only as tape entries, and {@link dev.dvm.core.compile.Body#instantiate}
 * gives the back end the same bodies with one tape's values. {@link dev.dvm.core.compile.FrontEndTemplates}
 * keeps per encoder the bodies, guards and arithmetic of earlier runs; a new instance evaluates a
 * template's tape on its own dims and strides, and when every guard holds the passes would have
 * taken the same path, so the template's bodies with those values are exactly their result. A
 * failed guard runs the passes in full, which records another template.
 *
 * <h2>How events are placed</h2>
 * A body is all loads, then vector instructions, then all stores. {@link dev.dvm.core.compile.EventPlacer}
 * gives each group of loads with the same first reader an MTE2→V event and each group of stores with
 * the same producer a V→MTE3 event, merging neighbouring groups when the device has fewer events.
 * Back pairs guard the next tile: the last reader of loaded data back-sets V→MTE2 for the first
 * load; the last store back-sets MTE3→V for the first vector write into UB a store reads. Loaded
 * and stored buffers are never reused inside a tile, so these events order every hazard.
 */
package dev.dvm.core.compile;
