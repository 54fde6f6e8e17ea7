package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Opcode;
import dev.dvm.core.DType;
import dev.dvm.core.DvmException;
import dev.dvm.core.GroupSplit;
import dev.dvm.core.compile.Body.Instr;
import dev.dvm.core.compile.Body.Window;
import dev.dvm.core.compile.Partition.Stage;
import dev.dvm.core.compile.Partition.Value;
import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pass 2: lowers one stage of a {@link Partition} to a {@link Body}: the domain axes in tile
 * order (kept axes, then reduced ones), a LOAD per distinct global window read, vector
 * instructions per node, and a STORE per window written. Operands held in the stage are used in
 * place; a row value meeting a full one in an add, sub, mul, div, max or min is its row operand
 * (ADD_R ...), elsewhere it is broadcast once (BROADCAST_ROW) and reused.
 */
final class StageLowering {
    /** The instruction of the same name as each meta-op (null where none), looked up once: names are not hashed per encode. */
    private static final Opcode[] BY_NAME = new Opcode[Op.values().length];
    /** The tensor∘scalar form ({@code ADD_S}) of each tensor∘tensor opcode, or null. */
    private static final Opcode[] SCALAR_FORM = new Opcode[Opcode.values().length];

    static {
        for (Op op : Op.values()) {
            BY_NAME[op.ordinal()] = opcodeNamed(op.name());
        }
        for (Opcode o : Opcode.values()) {
            SCALAR_FORM[o.ordinal()] = opcodeNamed(o.name() + "_S");
        }
    }

    private static Opcode opcodeNamed(String name) {
        for (Opcode o : Opcode.values()) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }

    private final Partition partition;
    private final Tape tape;
    private final Stage stage;
    private final SlotTable slots;
    private final Body body;
    /** Body position of each stage axis. */
    private final int[] position;
    private final int axes;
    /** Buffer of each node computed here, by node id. */
    private final int[] buffer;
    private final int[] broadcastOf;
    private final List<Instr> loadCache = new ArrayList<>();
    private final List<Instr> fillCache = new ArrayList<>();
    private boolean[] loaded = new boolean[16];
    private int[] storeCopy = new int[16];

    private StageLowering(Partition partition, Stage stage, SlotTable slots) {
        this.partition = partition;
        this.tape = partition.tape;
        this.stage = stage;
        this.slots = slots;
        int k = stage.extents.length;
        position = new int[k];
        axes = Math.max(1, k);
        Dim[] extents = new Dim[axes];
        boolean[] inner = new boolean[axes];
        extents[0] = tape.one;
        int p = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int a = 0; a < k; a++) {
                if (stage.reduced[a] == (pass == 1)) {
                    position[a] = p;
                    extents[p] = stage.extents[a];
                    inner[p++] = pass == 1;
                }
            }
        }
        int reductions = 0;
        for (Value v : stage.members) {
            reductions += v.inputMap != null ? 1 : 0;
        }
        int[] reduceNodes = new int[reductions];
        reductions = 0;
        for (Value v : stage.members) {
            if (v.inputMap != null) {
                reduceNodes[reductions++] = v.node.id();
            }
        }
        body = new Body(extents, inner, stage.hasReduce, stage.hasReduce && !stage.split, reduceNodes);
        buffer = new int[partition.values.length];
        broadcastOf = new int[partition.values.length];
        Arrays.fill(buffer, -1);
        Arrays.fill(broadcastOf, -1);
        Arrays.fill(storeCopy, -1);
    }

    /** Lowers {@code stage}; workspaces for partial results are added to {@code slots}. */
    static Body lower(Partition partition, Stage stage, SlotTable slots) {
        StageLowering l = new StageLowering(partition, stage, slots);
        for (Value v : stage.members) {
            if (v.aliasOf == null) {
                l.member(v);
            }
        }
        for (Value v : stage.members) {
            if (v.available) {
                for (View target : v.targets) {
                    l.store(v, target);
                }
            }
        }
        return l.body;
    }

    private Value in(Value v, int i) {
        return partition.input(v, i);
    }

    private void member(Value v) {
        Op op = v.node.op();
        ElementType out = compute(v.node.dtype());
        switch (op.kind()) {
            case UNARY -> {
                Value x = in(v, 0);
                ElementType type = compute(x.node.dtype());
                buffer[id(v)] = vector(BY_NAME[op.ordinal()], v, type, out, operand(v, x));
            }
            case BINARY, COMPARE -> binary(v, out);
            case REDUCE -> reduce(v);
            default -> {
                switch (op) {
                    case COPY -> buffer[id(v)] = operand(v, in(v, 0));
                    case CAST -> cast(v, out);
                    case SELECT -> {
                        Instr s = new Instr(Opcode.SELECT);
                        s.a = operand(v, in(v, 0));
                        s.b = operand(v, in(v, 1));
                        s.c = operand(v, in(v, 2));
                        s.type = out;
                        buffer[id(v)] = emit(s, v.row, check(Opcode.SELECT, out, v));
                    }
                    case BROADCAST -> buffer[id(v)] = operand(v, in(v, 0));
                    case ONE_HOT -> oneHot(v, out);
                    case MATMUL -> buffer[id(v)] = product(v);
                    default -> throw new DvmException(op + " cannot be computed inside a stage (node " + v.node
                            + "); this is a compiler bug: report it with the kernel");
                }
            }
        }
    }

    private static int id(Value v) {
        return v.node.id();
    }

    private int vector(Opcode opcode, Value v, ElementType type, ElementType out, int src) {
        Instr in = new Instr(opcode);
        in.a = src;
        in.type = check(opcode, type, v);
        return emit(in, v.row, out);
    }

    private void binary(Value v, ElementType out) {
        Value x = in(v, 0);
        Value y = in(v, 1);
        ElementType type = compute(x.node.dtype());
        Opcode tensor = binaryOpcode(v.node.op());
        if (x.scalar != null && y.scalar == null || y.scalar != null) {
            boolean left = y.scalar == null;
            Instr in = new Instr(SCALAR_FORM[tensor.ordinal()]);
            in.a = operand(v, left ? y : x);
            in.type = check(in.op, type, v);
            in.flags = left ? Isa.FLAG_SCALAR_LEFT : 0;
            in.scalar = bits(left ? x.scalar : y.scalar, type);
            buffer[id(v)] = emit(in, v.row, out);
            return;
        }
        Opcode rowForm = rowForm(tensor);
        boolean rowX = broadcastHere(v, x);
        if (rowForm != null && rowX != broadcastHere(v, y)) {
            // the row value meets the full one in the instruction itself: no broadcast pass
            Instr in = new Instr(rowForm);
            in.a = operand(v, rowX ? y : x);
            in.b = bufferOf(rowX ? x : y);
            in.type = check(rowForm, type, v);
            in.flags = rowX ? Isa.FLAG_ROW_LEFT : 0;
            buffer[id(v)] = emit(in, false, out);
            return;
        }
        Instr in = new Instr(tensor);
        in.a = operand(v, x);
        in.b = operand(v, y);
        in.type = check(tensor, type, v);
        buffer[id(v)] = emit(in, v.row, out);
    }

    /** Whether operand {@code x} of {@code v} is a row value of this stage that {@link #load} would broadcast. */
    private boolean broadcastHere(Value v, Value x) {
        return !v.row && x.row && x.stage == stage && x.available;
    }

    /** The tensor∘row form of a tensor∘tensor opcode, or null when it has none. */
    private static Opcode rowForm(Opcode tensor) {
        return switch (tensor) {
            case ADD -> Opcode.ADD_R;
            case SUB -> Opcode.SUB_R;
            case MUL -> Opcode.MUL_R;
            case DIV -> Opcode.DIV_R;
            case MAX -> Opcode.MAX_R;
            case MIN -> Opcode.MIN_R;
            default -> null;
        };
    }

    private static Opcode binaryOpcode(Op op) {
        return switch (op) {
            case EQUAL -> Opcode.EQ;
            case NOT_EQUAL -> Opcode.NE;
            case GREATER -> Opcode.GT;
            case GREATER_EQUAL -> Opcode.GE;
            case LESS -> Opcode.LT;
            case LESS_EQUAL -> Opcode.LE;
            case MAXIMUM -> Opcode.MAX;
            case MINIMUM -> Opcode.MIN;
            case LOGICAL_AND -> Opcode.AND;
            case LOGICAL_OR -> Opcode.OR;
            default -> BY_NAME[op.ordinal()];
        };
    }

    private void cast(Value v, ElementType out) {
        Value x = in(v, 0);
        int src = operand(v, x);
        DType from = x.node.dtype();
        if (StagePartitioner.castIsIdentity(from, v.node.dtype())) {
            buffer[id(v)] = src;
            return;
        }
        Instr in = new Instr(Opcode.CAST);
        in.a = src;
        in.type = from.element();
        in.to = v.node.dtype().element();
        buffer[id(v)] = emit(in, v.row, out);
    }

    private void reduce(Value v) {
        Value x = in(v, 0);
        ElementType type = compute(x.node.dtype());
        int src = load(x, v.inputMap, 0, false);
        Opcode opcode = switch (v.node.op()) {
            case REDUCE_SUM -> Opcode.REDUCE_SUM;
            case REDUCE_MIN -> Opcode.REDUCE_MIN;
            default -> Opcode.REDUCE_MAX;
        };
        Instr r = new Instr(opcode);
        r.a = src;
        r.type = check(opcode, type, v);
        int rows = emit(r, true, type);
        if (v.available) {
            buffer[id(v)] = rows;
            return;
        }
        int outer = body.outerCount();
        Window partial = new Window(slots.workspace(type, tape.zero), type, tape.zero, null, true, true);
        Instr store = new Instr(Opcode.STORE);
        store.a = rows;
        store.window = partial;
        body.stores.add(store);
        List<Window> targets = new ArrayList<>(v.targets.size());
        for (View t : v.targets) {
            Window a = window(v, t);
            a.strides = Arrays.copyOf(a.strides, outer);
            targets.add(a);
        }
        body.partialPlans.add(new Body.PartialPlan(partial, opcode, type, Arrays.copyOf(body.dims, outer), targets));
    }

    private void oneHot(Value v, ElementType out) {
        Value x = in(v, 0);
        Attrs.OneHot attrs = (Attrs.OneHot) v.node.attrs();
        ElementType index = compute(x.node.dtype());
        int indices = load(x, v.map, 0, false);
        Instr iota = new Instr(Opcode.IOTA);
        iota.type = check(Opcode.IOTA, index, v);
        iota.mod = Math.max(1, attrs.depth());
        int columns = emit(iota, false, index);
        Instr eq = new Instr(Opcode.EQ);
        eq.a = columns;
        eq.b = indices;
        eq.type = index;
        Instr select = new Instr(Opcode.SELECT);
        select.a = emit(eq, false, ElementType.I32);
        select.b = fill(bits(attrs.on(), out), out, false);
        select.c = fill(bits(attrs.off(), out), out, false);
        select.type = check(Opcode.SELECT, out, v);
        buffer[id(v)] = emit(select, false, out);
    }

    /**
     * The MATMUL computing product {@code v} into a new full buffer. Each operand's window spans
     * the product's domain as a load of it would with k taken out: a as [..., M, 1] (it does not
     * step along N), b as [..., 1, N]; k and its strides travel beside the windows. A sum of chunk
     * sums (SUM_K) reads them as a with k running over the chunks (its b is the whole workspace of
     * sums, giving the chunk stride; the instruction's b is a's window again, never read). A plain product whose k spans 2 to {@link Isa#CUBE_K_CHUNK} chunks and whose N is an
     * axis may be split over k ({@link Instr#splitNode}) when the tiler finds too few tiles.
     */
    private int product(Value v) {
        Partition.Product p = v.product;
        Instr in = new Instr(Opcode.MATMUL);
        in.flags = p.flags();
        in.dst = newBuffer(false, ElementType.F32);
        if (p.flags() == Isa.FLAG_SUM_K) {
            in.window = productWindow(v, p.a(), v.shape, p.a().strides());
            in.bWindow = productWindow(v, p.a(), v.shape, p.a().strides());
            Dim chunkStride = p.b().strides()[0];
            in.kDims = new Dim[] {p.groupCount(), chunkStride, chunkStride, tape.zero, tape.zero};
        } else {
            Dim[] as = p.a().strides(), bs = p.b().strides();
            int ra = as.length, rb = bs.length;
            Dim[] aShape = p.aShape().clone(), aStrides = as.clone();
            aShape[ra - 1] = tape.one;
            aStrides[ra - 1] = tape.zero;
            Dim[] bShape = p.bShape().clone(), bStrides = bs.clone();
            bShape[rb - 2] = tape.one;
            bStrides[rb - 2] = tape.zero;
            Dim groupStride = tape.zero;
            if (p.flags() == Isa.FLAG_GROUP_M) {
                // b[g] is chosen per row by the group list, not by the domain: b's window is one [K, N] weight
                groupStride = bs[0];
                bShape = Arrays.copyOfRange(bShape, 1, rb);
                bStrides = Arrays.copyOfRange(bStrides, 1, rb);
            }
            in.window = productWindow(v, p.a(), aShape, aStrides);
            in.bWindow = productWindow(v, p.b(), bShape, bStrides);
            if (p.groups() != null) {
                in.groupWindow = new Window(p.groups().slot(), p.groups().type(), p.groups().offset(), null, false, false);
            }
            Dim k = p.aShape()[ra - 1];
            in.kDims = new Dim[] {k, as[ra - 1], bs[rb - 2], p.groupCount() != null ? p.groupCount() : tape.zero, groupStride};
            if (p.flags() == 0 && k.gt(Isa.CUBE_K_CHUNK) && !k.gt((long) Isa.CUBE_K_CHUNK * Isa.CUBE_K_CHUNK)
                    && !v.shape[v.shape.length - 1].isOne()) {
                in.splitNode = v.node.id();
            }
        }
        // like a loaded buffer, the product reaches a store through the vector unit
        loaded[in.dst] = true;
        body.loads.add(in);
        return in.dst;
    }

    private Window productWindow(Value v, View g, Dim[] shape, Dim[] strides) {
        return new Window(g.slot(), g.type(), g.offset(), strides(shape, strides, v.map, v.shape.length - shape.length), false, false);
    }

    // ---- operands ----

    /** Operand {@code x} of elementwise node {@code v}, right-aligned, at v's level. */
    private int operand(Value v, Value x) {
        return load(x, v.map, v.shape.length - x.shape.length, v.row);
    }

    /**
     * The buffer holding {@code x} at the given level: its own buffer when computed here, else a
     * FILL of its scalar or a LOAD of its global window with dim i running along stage axis
     * {@code dims[i + from]} (an operand's map is its node's map right-aligned: no copy per operand).
     */
    private int load(Value x, int[] dims, int from, boolean row) {
        if (x.stage == stage && x.available) {
            int b = bufferOf(x);
            if (!x.row || row) {
                return b;
            }
            if (broadcastOf[b] < 0) {
                Instr in = new Instr(Opcode.BROADCAST_ROW);
                in.a = b;
                in.type = body.bufferType[b];
                broadcastOf[b] = emit(in, false, in.type);
            }
            return broadcastOf[b];
        }
        ElementType type = compute(x.node.dtype());
        if (x.scalar != null) {
            return fill(bits(x.scalar, type), type, row);
        }
        View g = x.gm;
        Dim[] strides = strides(x.shape, g.strides(), dims, from);
        for (int i = 0; i < loadCache.size(); i++) {
            Instr l = loadCache.get(i);
            Window a = l.window;
            if (a.slot == g.slot() && a.rows == row && a.offset.eq(g.offset()) && Dim.equal(a.strides, strides)) {
                return l.dst;
            }
        }
        Instr in = new Instr(Opcode.LOAD);
        in.dst = newBuffer(row, type);
        in.window = new Window(g.slot(), g.type(), g.offset(), strides, row, false);
        loaded[in.dst] = true;
        body.loads.add(in);
        loadCache.add(in);
        return in.dst;
    }

    private int bufferOf(Value x) {
        return buffer[id(x.aliasOf != null ? x.aliasOf : x)];
    }

    private int fill(long bits, ElementType type, boolean row) {
        for (int i = 0; i < fillCache.size(); i++) {
            Instr f = fillCache.get(i);
            if (f.scalar == bits && f.type == type && body.rowBuffer[f.dst] == row) {
                return f.dst;
            }
        }
        Instr in = new Instr(Opcode.FILL);
        in.type = type;
        in.scalar = bits;
        emit(in, row, type);
        fillCache.add(in);
        return in.dst;
    }

    private int emit(Instr in, boolean row, ElementType resultType) {
        in.dst = newBuffer(row, resultType);
        body.vector.add(in);
        return in.dst;
    }

    private int newBuffer(boolean row, ElementType type) {
        int b = body.newBuffer(row, type);
        if (b >= loaded.length) {
            loaded = Arrays.copyOf(loaded, b * 2);
            storeCopy = Arrays.copyOf(storeCopy, b * 2);
            Arrays.fill(storeCopy, b, storeCopy.length, -1);
        }
        return b;
    }

    // ---- stores ----

    private void store(Value v, View target) {
        int b = bufferOf(v);
        if (loaded[b]) {
            // no MTE2 -> MTE3 event pair exists: a loaded value reaches a store through the vector unit
            if (storeCopy[b] < 0) {
                Instr copy = new Instr(Opcode.COPY);
                copy.a = b;
                copy.type = body.bufferType[b];
                // emit first: it may grow storeCopy, and an assignment would go to the array read before the call
                int copied = emit(copy, v.row, copy.type);
                storeCopy[b] = copied;
            }
            b = storeCopy[b];
        }
        Instr in = new Instr(Opcode.STORE);
        in.a = b;
        in.window = window(v, target);
        body.stores.add(in);
    }

    /** The window of {@code target} per body axis, through v's map. */
    private Window window(Value v, View target) {
        return new Window(target.slot(), target.type(), target.offset(), strides(v.shape, target.strides(), v.map, 0), v.row, false);
    }

    /**
     * Per body axis, the sum of the strides of the dims of {@code shape} running along it (dim i
     * along stage axis {@code map[i + from]}; extent-1 dims and unmapped ones add nothing).
     */
    private Dim[] strides(Dim[] shape, Dim[] dimStrides, int[] map, int from) {
        Dim[] strides = new Dim[axes];
        Arrays.fill(strides, tape.zero);
        for (int i = 0; i < shape.length; i++) {
            int axis = map[i + from];
            if (axis >= 0 && !shape[i].isOne()) {
                int p = position[axis];
                strides[p] = strides[p] == tape.zero ? dimStrides[i] : strides[p].plus(dimStrides[i]);
            }
        }
        return strides;
    }

    // ---- types and scalars ----

    private static ElementType compute(DType t) {
        return t.element().computeType();
    }

    private static ElementType check(Opcode op, ElementType type, Value v) {
        if (!op.types().isEmpty() && !op.types().contains(type)) {
            throw new DvmException(v.node.op().name().toLowerCase(java.util.Locale.ROOT) + " on " + type + " values (node " + v.node
                    + ") is not in the instruction set, which computes it on " + op.types() + "; cast the operand first");
        }
        return type;
    }

    /** The SCALAR operand bits of a constant held as {@code type}. */
    static long bits(Attrs.Scalar s, ElementType type) {
        return type == ElementType.F32 ? Float.floatToRawIntBits((float) s.asDouble()) : s.asLong();
    }

    private static long bits(double value, ElementType type) {
        return type == ElementType.F32 ? Float.floatToRawIntBits((float) value) : (long) value;
    }
}
