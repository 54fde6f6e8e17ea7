package dev.dvm.core.compile;

import dev.dvm.bytecode.Isa;
import dev.dvm.core.DvmException;
import dev.dvm.vm.NpuSpec;

/**
 * Pass 5: picks the tile of a folded stage from the UB budget (DVM's rule: tile elements ≤ free UB
 * / (4 bytes × peak live full-buffer units), after the row buffers), then the tile count by a
 * cost model: ⌈tiles / cores⌉ × (tile elements + per-tile overhead), plus a launch cost when the
 * stage is spread over cores, ties broken toward tile counts that are multiples of the core count.
 * Whole rows are kept in one tile when they fit (pitch = cols rounded up to 8 elements, so rows
 * start 32-byte aligned); otherwise a row is cut into equal column blocks of a multiple of 8, chosen
 * for one core when the stage reduces (the blocks fix the summation order, which must not depend on
 * the core count).
 */
final class Tiler {
    /** Element-equivalents of fixed work per tile (decode, tile register, short loops). */
    static final long TILE_OVERHEAD = 256;
    /** Element-equivalents of handing a stage to the worker cores. */
    static final long LAUNCH_OVERHEAD = 4096;
    /** Largest tile worth taking: 1K–4K element tiles measured best on the host CPU (L1/L2 resident). */
    static final long PREFERRED_MAX_ELEMENTS = 4096;
    /** Non-reduce stages put trailing axes into the columns until a row has at least this many elements. */
    static final long MIN_ROW_ELEMENTS = 128;

    /** Thrown when a product has fewer tiles than cores and can be split over k instead. */
    static final class SplitK extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int productNode;

        SplitK(int productNode) {
            super(null, null, false, false);
            this.productNode = productNode;
        }
    }

    /** Thrown when a stage that consumes row values cannot hold a whole row in one tile. */
    static final class RowsDoNotFit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int[] reduceNodes;

        RowsDoNotFit(int[] reduceNodes) {
            super(null, null, false, false);
            this.reduceNodes = reduceNodes;
        }
    }

    /** The chosen tiling. */
    record Tiling(int inner, long rows, long cols, long pitch, long tiles, long colBlocks, long totalRows, long totalCols) {
        long fullUnitBytes() {
            return rows * pitch * 4;
        }

        long rowUnitBytes() {
            return (rows * 4 + Isa.BLOCK_BYTES - 1) / Isa.BLOCK_BYTES * Isa.BLOCK_BYTES;
        }
    }

    private Tiler() {}

    static Tiling tile(Body body, int fullUnits, int rowUnits, long ubBytes, int cores) {
        long[] e = body.extents;
        int inner = body.reduce ? e.length - body.outerCount() : chooseInner(e);
        long totalRows = product(e, 0, e.length - inner);
        long totalCols = product(e, e.length - inner, e.length);
        long u = Math.max(1, fullUnits);
        if (totalRows == 0 || totalCols == 0) {
            return new Tiling(inner, 1, 1, 8, 0, 0, totalRows, totalCols);
        }
        long pitch = roundUp8(totalCols);
        if (pitch <= Isa.MAX_EXTENT && bytes(1, pitch, u, rowUnits) <= ubBytes) {
            long maxRows = Math.min(totalRows, (ubBytes - (long) Isa.BLOCK_BYTES * rowUnits) / (u * pitch * 4 + 4L * rowUnits));
            maxRows = Math.max(1, Math.min(maxRows, Math.max(1, PREFERRED_MAX_ELEMENTS / pitch)));
            long best = maxRows;
            long bestCost = Long.MAX_VALUE;
            long first = ceilDiv(totalRows, maxRows);
            long last = Math.min(totalRows, first + 2L * cores);
            for (long t = first; t <= last; t++) {
                long rows = ceilDiv(totalRows, t);
                long tiles = ceilDiv(totalRows, rows);
                long cost = cost(tiles, rows * pitch, cores);
                if (cost < bestCost || (cost == bestCost && tiles % cores == 0 && ceilDiv(totalRows, best) % cores != 0)) {
                    best = rows;
                    bestCost = cost;
                }
            }
            return checked(new Tiling(inner, best, totalCols, pitch, ceilDiv(totalRows, best), 1, totalRows, totalCols));
        }
        if (body.wholeRows) {
            throw new RowsDoNotFit(body.reduceNodes);
        }
        long maxCols = (ubBytes - (long) Isa.BLOCK_BYTES * rowUnits) / (u * 4) / 8 * 8;
        if (maxCols < 8) {
            throw new DvmException("a stage keeps " + fullUnits + " tile buffers live, more than a " + ubBytes
                    + "-byte unified buffer holds with 8-element tiles; split the kernel into smaller kernels");
        }
        maxCols = Math.min(maxCols, Math.max(8, PREFERRED_MAX_ELEMENTS));
        // The column blocks of a split reduction decide its summation order: they must not depend on
        // the core count, or results would differ between devices of different core counts.
        int costCores = body.reduce ? 1 : cores;
        long bestCols = maxCols;
        long bestCost = Long.MAX_VALUE;
        long first = ceilDiv(totalCols, maxCols);
        for (long b = first; b <= first + 2L * costCores; b++) {
            long cols = roundUp8(ceilDiv(totalCols, b));
            long tiles = totalRows * ceilDiv(totalCols, cols);
            long cost = cost(tiles, cols, costCores);
            if (cost < bestCost) {
                bestCols = cols;
                bestCost = cost;
            }
        }
        long blocks = ceilDiv(totalCols, bestCols);
        return checked(new Tiling(inner, 1, bestCols, bestCols, totalRows * blocks, blocks, totalRows, totalCols));
    }

    /**
     * The tiling of a cube stage: its columns are exactly the last axis (N), its tiles blocks of
     * the cube's size. Rows per tile are bounded by L0A (a panel of rows × one k chunk), columns by
     * L0B (one k chunk × cols), both by L0C and by the UB the epilogue's buffers take. One row (the
     * M = 1 decode step) streams b: its columns are split evenly over the cores instead. The
     * summation order does not depend on the tiling, so the core count may choose it; it may also
     * split k ({@link SplitK}) when the product still has fewer tiles than cores.
     */
    static Tiling tileCube(Body body, int fullUnits, int rowUnits, NpuSpec spec) {
        long[] e = body.extents;
        long totalRows = product(e, 0, e.length - 1);
        long totalCols = e[e.length - 1];
        if (totalRows == 0 || totalCols == 0) {
            return new Tiling(1, 1, 1, 8, 0, 0, totalRows, totalCols);
        }
        long u = Math.max(1, fullUnits);
        long ubElements = (spec.ubBytes() - (long) Isa.BLOCK_BYTES * rowUnits) / (u * 4);
        long chunkBytes = 4L * Isa.CUBE_K_CHUNK;
        long maxRows = Math.max(1, spec.l0aBytes() / chunkBytes);
        long maxCols = Math.max(8, spec.l0bBytes() / chunkBytes / 8 * 8);
        if (totalRows == 1) {
            maxCols = Math.max(maxCols, roundUp8(ceilDiv(totalCols, spec.cores())));
        } else {
            maxCols = Math.min(maxCols, Math.max(8, spec.l0cBytes() / 4 / Math.min(maxRows, totalRows) / 8 * 8));
        }
        maxCols = Math.min(maxCols, Math.max(8, ubElements / 8 * 8));
        long blocks = ceilDiv(totalCols, maxCols);
        long cols = blocks == 1 ? totalCols : roundUp8(ceilDiv(totalCols, blocks));
        blocks = ceilDiv(totalCols, cols);
        long pitch = roundUp8(cols);
        long rows = Math.max(1, Math.min(Math.min(maxRows, totalRows), ubElements / pitch));
        if (rows * pitch > ubElements) {
            throw new DvmException("a product's epilogue keeps " + fullUnits + " tile buffers live, more than a " + spec.ubBytes()
                    + "-byte unified buffer holds with one 8-column row; split the epilogue into a VECTOR kernel");
        }
        // spread small products over the cores: smaller row blocks when there are fewer tiles than cores, else split k
        while (ceilDiv(totalRows, rows) * blocks < spec.cores() && rows > 8) {
            rows = (rows + 1) / 2;
        }
        int splitNode = body.product().splitNode;
        if (splitNode >= 0 && ceilDiv(totalRows, rows) * blocks < spec.cores()) {
            throw new SplitK(splitNode);
        }
        return checked(new Tiling(1, rows, cols, pitch, ceilDiv(totalRows, rows) * blocks, blocks, totalRows, totalCols));
    }

    private static Tiling checked(Tiling t) {
        if (t.tiles() > 0xFFFF_FFFFL) {
            throw new DvmException("a stage of " + t.totalRows() + " × " + t.totalCols() + " elements needs " + t.tiles()
                    + " tiles, more than the bytecode counts (2^32 - 1); use a device with a larger unified buffer or smaller inputs");
        }
        return t;
    }

    /** Trailing axes whose product first reaches {@link #MIN_ROW_ELEMENTS}, at least one. */
    private static int chooseInner(long[] e) {
        long cols = 1;
        int inner = 0;
        while (inner < e.length && (inner == 0 || cols < MIN_ROW_ELEMENTS) && cols * Math.max(1, e[e.length - 1 - inner]) <= Isa.MAX_EXTENT) {
            cols *= e[e.length - 1 - inner];
            inner++;
        }
        return Math.max(1, inner);
    }

    private static long cost(long tiles, long tileElements, int cores) {
        return ceilDiv(tiles, cores) * (tileElements + TILE_OVERHEAD) + (tiles > 1 && cores > 1 ? LAUNCH_OVERHEAD : 0);
    }

    private static long bytes(long rows, long pitch, long fullUnits, long rowUnits) {
        return fullUnits * rows * pitch * 4 + rowUnits * ((rows * 4 + 31) / 32 * 32);
    }

    private static long product(long[] e, int from, int to) {
        long p = 1;
        for (int d = from; d < to; d++) {
            p *= e[d];
        }
        return p;
    }

    private static long roundUp8(long n) {
        return Math.max(8, (n + 7) / 8 * 8);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
