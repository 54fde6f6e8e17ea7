package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Opcode;
import java.util.ArrayList;
import java.util.List;

/**
 * One stage: its iteration domain, its virtual buffers and its instructions in emission order
 * (all loads, then the vector instructions, then all stores). Virtual buffers are
 * single-assignment; {@link UbAllocator} maps them to UB addresses.
 *
 * <p>A body exists in two forms. The front end (lowering, folding) builds one whose shape numbers
 * are {@link Dim}s ({@link #dims}, {@link Window}s, {@link PartialPlan}s); {@link #instantiate}
 * turns it into the back-end form, with the numbers ({@link #extents}, {@link Access}es,
 * {@link Partial}s) read from a tape's values. The full compile instantiates with the values it
 * recorded, a replay with the values it evaluated, so both hand the back end the same body.
 */
final class Body {
    /** Front end: extents of the domain axes, outer (kept) axes first; {@link DomainFolder} merges them. */
    Dim[] dims;
    /** Back end: {@link #dims}' values. */
    long[] extents;
    /** Whether each axis is a column (inner) axis; fixed for reduce stages, chosen by the folder otherwise. */
    boolean[] inner;
    /** Reduce stages have their columns fixed to the reduced axes. */
    final boolean reduce;
    /** Row values are used inside the tile: the whole row must fit one tile (no column blocks). */
    final boolean wholeRows;
    /** Reduce nodes whose results this stage consumes; reported when a row does not fit. */
    final int[] reduceNodes;

    int bufferCount;
    boolean[] rowBuffer;
    ElementType[] bufferType;

    final List<Instr> loads;
    final List<Instr> vector;
    final List<Instr> stores;
    /** Front end: partial results of split reductions, combined by later stages. */
    final List<PartialPlan> partialPlans;
    /** Back end: {@link #partialPlans} with their numbers. */
    final List<Partial> partials;
    /** Back end: the front-end body this one was instantiated from (null when built directly in back-end form). */
    final Body source;
    /**
     * Front end: the back-end plan of the bodies instantiated from this one, set by the first to
     * be placed. Instantiation copies the instructions, buffers and their kinds unchanged, which
     * are all a plan's structure reads, so one plan holds for every instance.
     */
    volatile BackEndPlans.Plan plan;

    /** A front-end body over the domain {@code dims}. */
    Body(Dim[] dims, boolean[] inner, boolean reduce, boolean wholeRows, int[] reduceNodes) {
        this((long[]) null, inner, reduce, wholeRows, reduceNodes);
        this.dims = dims;
    }

    /** A back-end body over the domain {@code extents}, with no buffers or instructions yet. */
    Body(long[] extents, boolean[] inner, boolean reduce, boolean wholeRows, int[] reduceNodes) {
        this.extents = extents;
        this.inner = inner;
        this.reduce = reduce;
        this.wholeRows = wholeRows;
        this.reduceNodes = reduceNodes;
        rowBuffer = new boolean[16];
        bufferType = new ElementType[16];
        loads = new ArrayList<>();
        vector = new ArrayList<>();
        stores = new ArrayList<>();
        partialPlans = new ArrayList<>();
        partials = new ArrayList<>();
        this.source = null;
    }

    /**
     * The back-end body of front-end {@code source} over {@code extents}: buffer tables and vector
     * instructions shared (the back end never writes them), load and store lists sized for theirs.
     */
    private Body(Body source, long[] extents) {
        this.extents = extents;
        this.inner = source.inner;
        this.reduce = source.reduce;
        this.wholeRows = source.wholeRows;
        this.reduceNodes = source.reduceNodes;
        bufferCount = source.bufferCount;
        rowBuffer = source.rowBuffer;
        bufferType = source.bufferType;
        loads = new ArrayList<>(source.loads.size());
        vector = source.vector;
        stores = new ArrayList<>(source.stores.size());
        partialPlans = List.of();
        partials = source.partialPlans.isEmpty() ? List.of() : new ArrayList<>(source.partialPlans.size());
        this.source = source;
    }

    /**
     * The back-end form of this front-end body with the numbers {@code values} (indexed by
     * {@link Dim#index}). Loads and stores are copied with their windows' numbers (the back end
     * sorts them and lays out partials in them); buffer tables and vector instructions are shared,
     * nothing writes them after lowering.
     */
    Body instantiate(long[] values) {
        Body b = new Body(this, values(dims, values));
        for (Instr in : loads) {
            Instr copy = in.copy(in.window.instantiate(values));
            if (in.bWindow != null) {
                copy.bAccess = in.bWindow.instantiate(values);
                copy.kNumbers = values(in.kDims, values);
                copy.groupAccess = in.groupWindow != null ? in.groupWindow.instantiate(values) : null;
            }
            b.loads.add(copy);
        }
        for (PartialPlan p : partialPlans) {
            List<Access> targets = new ArrayList<>(p.targets().size());
            for (Window t : p.targets()) {
                targets.add(t.instantiate(values));
            }
            b.partials.add(new Partial(p.store().instantiate(values), p.reduce(), p.type(), values(p.outerExtents(), values), targets));
        }
        for (Instr in : stores) {
            b.stores.add(in.copy(in.window.partial ? partialStore(b, in.window) : in.window.instantiate(values)));
        }
        return b;
    }

    /** The instantiated store of the partial plan whose window is {@code w}: layOut fills the one the STORE writes through. */
    private Access partialStore(Body b, Window w) {
        for (int i = 0; i < partialPlans.size(); i++) {
            if (partialPlans.get(i).store() == w) {
                return b.partials.get(i).store();
            }
        }
        throw new IllegalStateException("a partials store without its plan");
    }

    static long[] values(Dim[] dims, long[] values) {
        if (dims == null) {
            return null;
        }
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = values[dims[i].index];
        }
        return out;
    }

    int newBuffer(boolean row, ElementType computeType) {
        if (bufferCount == rowBuffer.length) {
            rowBuffer = java.util.Arrays.copyOf(rowBuffer, bufferCount * 2);
            bufferType = java.util.Arrays.copyOf(bufferType, bufferCount * 2);
        }
        rowBuffer[bufferCount] = row;
        bufferType[bufferCount] = computeType;
        return bufferCount++;
    }

    /** UB units a buffer takes: one per 4-byte element slot, two for I64. */
    int units(int buffer) {
        return bufferType[buffer] == ElementType.I64 ? 2 : 1;
    }

    /** The MATMUL of a cube stage, or null. */
    Instr product() {
        for (Instr in : loads) {
            if (in.op == Opcode.MATMUL) {
                return in;
            }
        }
        return null;
    }

    int outerCount() {
        int n = 0;
        for (boolean b : inner) {
            n += b ? 0 : 1;
        }
        return n;
    }

    /**
     * All instructions in emission order: loads sorted by their first vector reader (so loads
     * read together share an event), the vector instructions, stores sorted by the instruction
     * producing their source.
     */
    Instr[] code() {
        // most stages have one load and one store: nothing to order, so no reader or writer tables
        if (loads.size() > 1) {
            int[] firstReader = firstReaders(this);
            loads.sort((x, y) -> Integer.compare(firstReader[x.dst], firstReader[y.dst]));
        }
        if (stores.size() > 1) {
            int[] lastWriter = lastWriters(this);
            stores.sort((x, y) -> Integer.compare(lastWriter[x.a], lastWriter[y.a]));
        }
        Instr[] code = new Instr[loads.size() + vector.size() + stores.size()];
        int i = 0;
        for (Instr in : loads) {
            code[i++] = in;
        }
        for (Instr in : vector) {
            code[i++] = in;
        }
        for (Instr in : stores) {
            code[i++] = in;
        }
        return code;
    }

    /** Index in {@link #vector} of the first instruction reading each buffer (MAX_VALUE: none). */
    static int[] firstReaders(Body body) {
        int[] first = new int[body.bufferCount];
        java.util.Arrays.fill(first, Integer.MAX_VALUE);
        for (int i = body.vector.size() - 1; i >= 0; i--) {
            Instr in = body.vector.get(i);
            for (int o : new int[] {in.a, in.b, in.c}) {
                if (o >= 0) {
                    first[o] = i;
                }
            }
        }
        return first;
    }

    /** Index in {@link #vector} of the instruction writing each buffer (-1: a load). */
    static int[] lastWriters(Body body) {
        int[] last = new int[body.bufferCount];
        java.util.Arrays.fill(last, -1);
        for (int i = 0; i < body.vector.size(); i++) {
            last[body.vector.get(i).dst] = i;
        }
        return last;
    }

    /** One instruction over virtual buffers ({@code -1}: operand absent). */
    static final class Instr {
        final Opcode op;
        int dst = -1, a = -1, b = -1, c = -1;
        /** The TYPE operand (CAST: from). */
        ElementType type;
        /** CAST: the target type. */
        ElementType to;
        long scalar;
        int flags;
        long mod;
        /** LOAD and STORE in a front-end body: where in global memory. */
        Window window;
        /** LOAD and STORE in a back-end body: where in global memory. */
        Access access;
        /** MATMUL: {@link #window} and {@link #access} are a's, these b's. */
        Window bWindow;
        Access bAccess;
        /** A grouped MATMUL: where its group list is (no strides: it is read whole and contiguous). */
        Window groupWindow;
        Access groupAccess;
        /**
         * MATMUL, front end: k, a's k stride, b's k stride and, grouped, the group count and b's
         * stride per group; back end: their values. (Rows per group come from the tiling.)
         */
        Dim[] kDims;
        long[] kNumbers;
        /** A plain MATMUL that may be split over k: its product node's id, else -1. */
        int splitNode = -1;

        Instr(Opcode op) {
            this.op = op;
        }

        /** This instruction with the back-end window {@code access}. */
        Instr copy(Access access) {
            Instr c = new Instr(op);
            c.dst = dst;
            c.a = a;
            c.b = b;
            c.c = this.c;
            c.type = type;
            c.to = to;
            c.scalar = scalar;
            c.flags = flags;
            c.mod = mod;
            c.access = access;
            c.splitNode = splitNode;
            return c;
        }

        /** Whether it brings data into UB for the vector unit: a LOAD, or the cube's product. */
        boolean inbound() {
            return op == Opcode.LOAD || op == Opcode.MATMUL;
        }

        /** The buffer a LOAD or vector instruction writes, or a STORE reads. */
        int buffer() {
            return dst >= 0 ? dst : a;
        }

        boolean reads(int buffer) {
            return a == buffer || b == buffer || c == buffer;
        }
    }

    /** A LOAD or STORE window: per-axis strides (for ROWS accesses only the outer axes count). */
    static final class Access {
        final int slot;
        final ElementType type;
        final long offset;
        long[] strides;
        final boolean rows;
        /** ROWS only: the stride of the column-block index. */
        long blockStride;
        /** Partial results of a split reduction: strides are laid out after tiling. */
        final boolean partial;

        Access(int slot, ElementType type, long offset, long[] strides, boolean rows, boolean partial) {
            this.slot = slot;
            this.type = type;
            this.offset = offset;
            this.strides = strides;
            this.rows = rows;
            this.partial = partial;
        }
    }

    /**
     * The front-end form of an {@link Access}: offset and per-axis strides as {@link Dim}s
     * ({@link DomainFolder} replaces the strides when it merges axes).
     */
    static final class Window {
        final int slot;
        final ElementType type;
        final Dim offset;
        Dim[] strides;
        final boolean rows;
        final boolean partial;

        Window(int slot, ElementType type, Dim offset, Dim[] strides, boolean rows, boolean partial) {
            this.slot = slot;
            this.type = type;
            this.offset = offset;
            this.strides = strides;
            this.rows = rows;
            this.partial = partial;
        }

        Access instantiate(long[] values) {
            return new Access(slot, type, values[offset.index], values(strides, values), rows, partial);
        }
    }

    /** The front-end form of a {@link Partial}. */
    record PartialPlan(Window store, Opcode reduce, ElementType type, Dim[] outerExtents, List<Window> targets) {}

    /**
     * A split reduction: this stage stores one partial per row and column block to {@code store};
     * a combine stage over [outer axes, column blocks] reduces them with {@code reduce} into the
     * ROWS windows {@code targets} (strides over this stage's outer axes).
     */
    record Partial(Access store, Opcode reduce, ElementType type, long[] outerExtents, List<Access> targets) {}
}
