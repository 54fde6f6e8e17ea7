package dev.dvm.vm;

import static dev.dvm.vm.StagePlan.*;
import static org.objectweb.asm.Opcodes.*;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Type;

/**
 * The JIT tier's code generator: turns a stage of F32 instructions into a hidden class whose
 * {@link CompiledStage#run} walks the tiles like {@link TileInterpreter} and, for each tile row,
 * runs the instruction chain per vector step with the values in registers: vectors loaded straight
 * from the global segments, each operation by the same per-vector function {@link PanamaVectorUnit}
 * uses (so results are bit-identical), vectors stored straight to the output segments, the row's
 * tail under a mask. Instance numbers (tile sizes, extents, strides, offsets, scalars) are read
 * from the {@link StagePlan} at run time, so one class serves every stage of the same {@link Shape}.
 *
 * <p>Row reductions split the chain into passes over the row: pass p computes what depends on the
 * results of p reductions and feeds the reductions of pass p + 1 (see {@link RunEmitter}). A row
 * buffer (one value per tile row) is one value per row in the generated code, held in every lane
 * of a vector.
 *
 * <p>Supported ({@link #shapeOf} checks each rule): F32 and I32 operations with a per-vector
 * function ({@link #FUNCTIONS}, {@link #INT_OPERATORS}), compares, AND/OR/NOT, ISFINITE, SELECT,
 * COPY, CAST among F32, F16, BF16, I32 and BOOL, FILL; LOAD and STORE of F32, I32, F16 (lane by
 * lane), BOOL and BF16 over one inner dim, contiguous, strided or broadcast; REDUCE_SUM/MAX/MIN
 * ({@link #REDUCTIONS}), BROADCAST_ROW and the ROW_BINARY forms. Interpreted: I64, POW, IOTA, I32
 * reductions, several inner dims, reductions split across tiles (docs/JIT.md).
 */
final class JitCompiler {
    private JitCompiler() {}

    /** How a LOAD or STORE walks the row: unit stride in its element type, one element for every column (a LOAD), any other stride. */
    enum Access { CONTIGUOUS, BROADCAST, STRIDED }

    /**
     * One instruction of a supported stage, its UB operands replaced by the steps that produce them
     * ({@code a}, {@code b}, {@code c}: SELECT's condition and values; -1 for none), so stages that
     * differ only in UB addresses and instance numbers have equal steps. {@code type}: the
     * instruction's type (a LOAD/STORE's memory type, a CAST's source); {@code to}: a CAST's target;
     * {@code plan}: the LOAD/STORE's index into {@link StagePlan#memory}; {@code left}: a scalar-left
     * BINARY_SCALAR or a row-left ROW_BINARY (whose {@code b} is the row operand); {@code row}: the
     * step's value is a row buffer (one value per tile row: a reduction or an operation on row
     * buffers).
     */
    record Step(Opcode op, ElementType type, ElementType to, int plan, Access access, int a, int b, int c, boolean left, boolean row) {
        /** Whether the value is UB words as an IntVector (I32, BOOL as 0 or 1) rather than a FloatVector. */
        boolean ints() {
            if (op.result() == Opcode.Result.BOOL) {
                return true;
            }
            return (op == Opcode.CAST ? to : type).computeType() == ElementType.I32;
        }

        /** A CAST between types of one compute type, or a COPY: the value is its operand's. */
        boolean aliases() {
            return op == Opcode.COPY || op == Opcode.CAST && type.computeType() == to && to != ElementType.BOOL;
        }
    }

    /** The structure of a supported stage: the cache key of its generated class. */
    record Shape(List<Step> steps) {}

    /** The per-vector function of each supported F32 operation, in its tensor form; all take and return F32 vectors. */
    private static final Map<Opcode, String> FUNCTIONS = new EnumMap<>(Map.ofEntries(
            Map.entry(Opcode.ADD, "addF32"), Map.entry(Opcode.SUB, "subF32"), Map.entry(Opcode.MUL, "mulF32"),
            Map.entry(Opcode.DIV, "divF32"), Map.entry(Opcode.MAX, "maxF32"), Map.entry(Opcode.MIN, "minF32"),
            Map.entry(Opcode.SQRT, "sqrtF32"), Map.entry(Opcode.RSQRT, "rsqrtF32"), Map.entry(Opcode.RECIPROCAL, "reciprocalF32"),
            Map.entry(Opcode.ABS, "absF32"), Map.entry(Opcode.NEG, "negF32"), Map.entry(Opcode.ROUND, "roundF32"),
            Map.entry(Opcode.FLOOR, "floorF32"), Map.entry(Opcode.CEIL, "ceilF32"), Map.entry(Opcode.TRUNC, "truncF32"),
            Map.entry(Opcode.EXP, "expF32"), Map.entry(Opcode.TANH, "tanhF32"), Map.entry(Opcode.SIGMOID, "sigmoidF32"),
            Map.entry(Opcode.LOG, "logF32"), Map.entry(Opcode.ERF, "erfF32"), Map.entry(Opcode.SIN, "sinF32"),
            Map.entry(Opcode.COS, "cosF32")));

    /** I32 operations: the {@code VectorOperators} constant of each (Unary for ABS and NEG, Binary otherwise), as the interpreter applies it. */
    private static final Map<Opcode, String> INT_OPERATORS = new EnumMap<>(Map.of(
            Opcode.ADD, "ADD", Opcode.SUB, "SUB", Opcode.MUL, "MUL", Opcode.MAX, "MAX", Opcode.MIN, "MIN",
            Opcode.ABS, "ABS", Opcode.NEG, "NEG"));

    /** Compares of either type: the {@code VectorOperators.Comparison} constant of each; results are BOOL words. */
    private static final Map<Opcode, String> COMPARISONS = new EnumMap<>(Map.of(
            Opcode.EQ, "EQ", Opcode.NE, "NE", Opcode.GT, "GT", Opcode.GE, "GE", Opcode.LT, "LT", Opcode.LE, "LE"));

    /** Operations of either type on truth values (nonzero is true), by the helper computing each. */
    private static final Map<Opcode, String> LOGICAL = new EnumMap<>(Map.of(
            Opcode.AND, "and", Opcode.OR, "or", Opcode.LOGICAL_NOT, "isZero"));

    /**
     * The row reductions, as {@link PanamaVectorUnit}'s per-step functions: SUM by {@code sumStep},
     * {@code sumTail} and {@code sumLanes} into one float accumulator; MAX and MIN on raw bits,
     * {@code extremumStep} (and its tail) into three int accumulators that {@code extremumOf}
     * turns into the row's result.
     */
    private static final Set<Opcode> REDUCTIONS = EnumSet.of(Opcode.REDUCE_SUM, Opcode.REDUCE_MAX, Opcode.REDUCE_MIN);

    /** Whether the generated code computes {@code op} (tensor form) on operands of {@code ints}. */
    private static boolean supported(Opcode op, boolean ints) {
        if (COMPARISONS.containsKey(op) || LOGICAL.containsKey(op) || op == Opcode.COPY) {
            return true;
        }
        return ints ? INT_OPERATORS.containsKey(op) : FUNCTIONS.containsKey(op) || op == Opcode.ISFINITE;
    }

    /** Memory types the generated code loads and stores (F16 lane by lane; BOOL and BF16 need vectors of at least 8 lanes). */
    private static boolean supportedMemory(ElementType type) {
        return switch (type) {
            case F32, I32, F16 -> true;
            case BOOL, BF16 -> PanamaVectorUnit.LANES >= 8;
            case I64 -> false;
        };
    }

    /**
     * The shape of {@code st}, or null when the JIT does not support it. Checks every rule the
     * generated code relies on: a value read from the UB is exactly a buffer an earlier instruction
     * of the tile wrote whole, a full buffer (n = rows × pitch words) or a row buffer (n = rows), of
     * the kind (float or int words) the reader expects, so the chain can follow values instead of
     * addresses. Stages whose reductions are split over column blocks hand per-tile partials on
     * through ROWS-flagged LOADs and STOREs, which are not supported: they stay interpreted.
     */
    static Shape shapeOf(StagePlan st) {
        if (st.innerExtents.length != 1) {
            return null;
        }
        int full = st.rows * st.pitch;
        // Live UB buffers: {start word, words, producing step}; a write drops every buffer it overlaps.
        List<int[]> live = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        for (int k = 0; k < st.length(); k++) {
            Opcode op = st.written(k);
            ElementType type = st.type(k);
            Layout layout = op.layout();
            if (layout == Layout.MATMUL) {
                // The product itself stays the cube unit's (its blocked kernel is already one fused loop
                // nest), run per tile into the frame's UB; the chain reads it from there like a LOAD.
                if (steps.stream().anyMatch(x -> x.op() == Opcode.MATMUL)) {
                    return null;
                }
                int dst = st.num(k, DST);
                live.removeIf(b -> b[0] < dst + full && dst < b[0] + b[1]);
                live.add(new int[] {dst, full, k});
                steps.add(new Step(op, ElementType.F32, null, -1, null, -1, -1, -1, false, false));
                continue;
            }
            int n = layout == Layout.MEMORY ? 0 : st.num(k, N);
            // An elementwise operation works on full buffers or on row buffers, its operands alike;
            // the row layouts take n = rows and the stage's pitch.
            boolean row = n == st.rows;
            boolean rowLayout = layout == Layout.ROW || layout == Layout.ROW_BINARY;
            if (layout != Layout.MEMORY && (rowLayout ? !row || st.num(k, layout == Layout.ROW ? B : X) != st.pitch : n != full && !row)) {
                return null;
            }
            if (layout != Layout.MEMORY && layout != Layout.CAST && type != ElementType.F32 && (type != ElementType.I32 || rowLayout)) {
                return null;
            }
            boolean ints = type == ElementType.I32;
            Step step;
            int dst = layout == Layout.MEMORY ? 0 : st.num(k, DST), words = n;
            switch (layout) {
                case MEMORY -> {
                    MemoryPlan m = st.memory[st.arg(k)];
                    if (m.perRow() || !supportedMemory(m.type())) {
                        return null;
                    }
                    long inner = m.innerStrides()[0];
                    // A STORE of stride 0 writes every column to one element, the last column winning, as lane-by-lane stores in order do.
                    Access access = inner == 1 ? Access.CONTIGUOUS : inner == 0 && m.load() ? Access.BROADCAST : Access.STRIDED;
                    words = full;
                    if (m.load()) {
                        step = new Step(op, m.type(), null, st.arg(k), access, -1, -1, -1, false, false);
                        dst = m.ubWord();
                    } else {
                        int a = producer(live, m.ubWord(), full);
                        if (a >= 0 && steps.get(a).ints() != (m.type().computeType() == ElementType.I32)) {
                            return null;
                        }
                        step = new Step(op, m.type(), null, st.arg(k), access, a, -1, -1, false, false);
                        dst = -1;
                    }
                }
                case UNARY -> {
                    if (!supported(op, ints) || op == Opcode.ISFINITE && ints) {
                        return null;
                    }
                    step = new Step(op, type, null, -1, null, producer(live, st.num(k, A), n), -1, -1, false, row);
                }
                case BINARY -> {
                    if (!supported(op, ints)) {
                        return null;
                    }
                    step = new Step(op, type, null, -1, null, producer(live, st.num(k, A), n), producer(live, st.num(k, B), n), -1, false, row);
                }
                case BINARY_SCALAR -> {
                    if (!supported(PreDecoder.tensorForm(op), ints)) {
                        return null;
                    }
                    step = new Step(op, type, null, -1, null, producer(live, st.num(k, A), n), -1, -1, st.arg(k) != 0, row);
                }
                case SELECT -> step = new Step(op, type, null, -1, null, producer(live, st.num(k, A), n), producer(live, st.num(k, B), n),
                        producer(live, st.num(k, X), n), false, row);
                case CAST -> {
                    ElementType to = ElementType.ofCode(st.arg(k));
                    boolean fromInts = type.computeType() == ElementType.I32;
                    // I64 is not supported; an integer to F16 or BF16 rounds twice.
                    boolean toHalf = to == ElementType.F16 || to == ElementType.BF16;
                    if (type == ElementType.I64 || to == ElementType.I64 || toHalf && fromInts) {
                        return null;
                    }
                    step = new Step(op, type, to, -1, null, producer(live, st.num(k, A), n), -1, -1, false, row);
                }
                case FILL -> step = new Step(op, type, null, -1, null, -1, -1, -1, false, row);
                case ROW -> {
                    if (op == Opcode.BROADCAST_ROW) {
                        step = new Step(op, type, null, -1, null, producer(live, st.num(k, A), st.rows), -1, -1, false, false);
                        words = full;
                    } else if (REDUCTIONS.contains(op) && (op != Opcode.REDUCE_SUM || PanamaVectorUnit.LANES == 16)) {
                        // A sum's accumulator lanes are the canonical partials only on 16-lane vectors.
                        step = new Step(op, type, null, -1, null, producer(live, st.num(k, A), full), -1, -1, false, true);
                    } else {
                        return null;
                    }
                }
                case ROW_BINARY -> {
                    if (!FUNCTIONS.containsKey(PreDecoder.tensorForm(op))) {
                        return null;
                    }
                    step = new Step(op, type, null, -1, null, producer(live, st.num(k, A), full), producer(live, st.num(k, B), st.rows), -1,
                            st.arg(k) != 0, false);
                    words = full;
                }
                default -> {
                    return null;
                }
            }
            if (step.a() == MISSING || step.b() == MISSING || step.c() == MISSING || !operandKindsMatch(steps, step)) {
                return null;
            }
            if (dst >= 0) {
                int at = dst, size = words;
                live.removeIf(b -> b[0] < at + size && at < b[0] + b[1]);
                live.add(new int[] {dst, words, k});
            }
            steps.add(step);
        }
        return new Shape(List.copyOf(steps));
    }

    /**
     * Whether each operand holds the kind of words the step reads: ints for I32 operations, a
     * SELECT's condition and an integer CAST's source, floats otherwise. A program that reads a
     * buffer as the other kind stays interpreted, which reads words as they are.
     */
    private static boolean operandKindsMatch(List<Step> steps, Step s) {
        Layout layout = s.op().layout();
        if (layout == Layout.MEMORY) {
            return true;
        }
        boolean ints = s.type().computeType() == ElementType.I32;
        boolean ok = s.a() < 0 || steps.get(s.a()).ints() == (layout == Layout.SELECT || ints);
        ok &= s.b() < 0 || steps.get(s.b()).ints() == ints;
        ok &= s.c() < 0 || steps.get(s.c()).ints() == ints;
        return ok;
    }

    /** Marks an operand that is not a whole buffer written earlier in the tile. */
    private static final int MISSING = -2;

    private static int producer(List<int[]> live, int word, int words) {
        for (int[] b : live) {
            if (b[0] == word && b[1] == words) {
                return b[2];
            }
        }
        return MISSING;
    }


    private static final String RUNTIME = Type.getInternalName(JitRuntime.class);
    private static final String UNIT = Type.getInternalName(PanamaVectorUnit.class);
    private static final String PLAN = Type.getInternalName(StagePlan.class);
    private static final String MEMORY_PLAN = Type.getInternalName(MemoryPlan.class);
    private static final String VECTOR = Type.getInternalName(FloatVector.class);
    private static final String SPECIES = "jdk/incubator/vector/VectorSpecies";
    private static final String MASK = "jdk/incubator/vector/VectorMask";
    private static final String SEGMENT = Type.getInternalName(MemorySegment.class);
    private static final String VECTOR_D = "L" + VECTOR + ";";
    private static final String SPECIES_D = "L" + SPECIES + ";";
    private static final String MASK_D = "L" + MASK + ";";
    private static final String SEGMENT_D = "L" + SEGMENT + ";";
    private static final String ORDER_D = Type.getDescriptor(ByteOrder.class);
    private static final String UNARY_D = "(" + VECTOR_D + ")" + VECTOR_D;
    private static final String INTS = Type.getInternalName(IntVector.class);
    private static final String INTS_D = "L" + INTS + ";";
    private static final String OPERATORS = "jdk/incubator/vector/VectorOperators";
    private static final String VECTOR_ANY = "jdk/incubator/vector/Vector";
    private static final String BINARY_D = "(" + VECTOR_D + VECTOR_D + ")" + VECTOR_D;

    /** The class file for {@code shape}; {@link #define} turns it into a {@link CompiledStage}. */
    static byte[] generate(Shape shape) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            // Locals are never merged across types, so frames need no class loading.
            @Override
            protected String getCommonSuperClass(String type1, String type2) {
                return "java/lang/Object";
            }
        };
        String name = Type.getInternalName(CompiledStage.class) + "$Jit";
        cw.visit(V21, ACC_FINAL | ACC_SUPER, name, null, "java/lang/Object", new String[] {Type.getInternalName(CompiledStage.class)});
        MethodVisitor init = cw.visitMethod(0, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        Passes passes = new Passes(shape.steps());
        new RunEmitter(cw.visitMethod(ACC_PUBLIC, "run", "(L" + PLAN + ";JJ[" + SEGMENT_D + "[J)V", null, null), name, passes).emit();
        for (int p = 0; p < passes.count(); p++) {
            if (passes.hasSinks(p)) {
                new PassEmitter(cw.visitMethod(ACC_PRIVATE | ACC_STATIC, "pass" + p, PASS_D, null, null), passes, p).emit();
            }
        }
        if (passes.skewed()) {
            PassEmitter.emitSkewed(cw.visitMethod(ACC_PRIVATE | ACC_STATIC, "skewed", PASS_D, null, null), passes);
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** Defines {@code classFile} as a hidden class in this package (unloadable with its last instance) and instantiates it. */
    static CompiledStage define(byte[] classFile) throws ReflectiveOperationException {
        MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(classFile, true);
        try {
            return (CompiledStage) lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * How a stage's steps divide into passes over a tile row. A step's {@link #level} is the
     * number of reductions its value depends on in sequence, so pass p can compute it once the
     * reductions of the passes before it are done. Pass p runs over the row only for its sinks
     * (STOREs of level p, reductions of level-p values) and computes what they need. A value of an
     * earlier pass is reloaded: a LOAD from its segment again (the row, at most one tile wide, is
     * in the L1 cache), a computed value from the per-thread row scratch its own pass spilled it to
     * (recomputing it would repeat transcendentals such as softmax's EXP). Row values (reduction
     * results and the operations on them) are computed once per row at the start of each pass
     * that uses them.
     */
    private static final class Passes {
        final List<Step> steps;
        final int[] level;
        /** Per pass, which full-buffer steps its chain computes, reloads from the scratch, spills to it; which row values it uses. */
        final boolean[][] needed, reload, spill, rowNeeded;
        /** Per spilled step, its row's index in the scratch. */
        final int[] spillSlot;
        /**
         * Per spilled step, the plan of the output row it is spilled to instead of the scratch, or
         * -1: a contiguous F32 STORE later in program order and in a pass no earlier than the
         * step's last reload, which overwrites the row after that reload (outputs never overlap
         * inputs). As ONNX Runtime's softmax writes e^x to its output and scales it there, the
         * row's write to memory then overlaps the pass that computes it rather than following it:
         * softmax over 16M elements took 7.0 ms with the scratch, 5.25 ms this way.
         */
        final int[] spillPlan;
        /**
         * Per step, whether the pass of its level reads it (a reduction or a store there, directly
         * or through steps of that pass). Only such a step is spilled for later passes: one that
         * only later passes read is computed in each of them from reloaded inputs, which costs no
         * scratch traffic and keeps the earlier pass's loop short.
         */
        private final boolean[] readByOwnPass;
        int spills;
        final int plans;
        /** The MATMUL step whose product the chain reads, or -1. */
        final int product;

        Passes(List<Step> steps) {
            this.steps = steps;
            int product = -1;
            for (int k = 0; k < steps.size(); k++) {
                product = steps.get(k).op() == Opcode.MATMUL ? k : product;
            }
            this.product = product;
            level = new int[steps.size()];
            int plans = 0, passes = 1;
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                plans = Math.max(plans, s.plan() + 1);
                int operands = Math.max(Math.max(s.a() >= 0 ? level[s.a()] : 0, s.b() >= 0 ? level[s.b()] : 0), s.c() >= 0 ? level[s.c()] : 0);
                level[k] = reduction(s) ? operands + 1 : operands;
                passes = Math.max(passes, level[k] + 1);
            }
            this.plans = plans;
            needed = new boolean[passes][steps.size()];
            reload = new boolean[passes][steps.size()];
            spill = new boolean[passes][steps.size()];
            rowNeeded = new boolean[passes][steps.size()];
            spillSlot = new int[steps.size()];
            readByOwnPass = new boolean[steps.size()];
            for (int j = steps.size() - 1; j >= 0; j--) {
                Step s = steps.get(j);
                if (s.row() && !reduction(s)) {
                    continue;
                }
                boolean computedHere = s.op() == Opcode.STORE || readByOwnPass[j];
                if (s.a() >= 0 && s.op() != Opcode.BROADCAST_ROW) {
                    readByOwnPass[s.a()] |= reduction(s) || computedHere && level[s.a()] == level[j];
                }
                if (s.b() >= 0 && s.op().layout() != Layout.ROW_BINARY) {
                    readByOwnPass[s.b()] |= computedHere && level[s.b()] == level[j];
                }
                if (s.c() >= 0) {
                    readByOwnPass[s.c()] |= computedHere && level[s.c()] == level[j];
                }
            }
            for (int k = steps.size() - 1; k >= 0; k--) {
                Step s = steps.get(k);
                if (s.op() == Opcode.STORE) {
                    need(level[k], k);
                } else if (reduction(s)) {
                    need(level[s.a()], k);
                }
            }
            spillPlan = new int[steps.size()];
            Arrays.fill(spillPlan, -1);
            boolean[] planTaken = new boolean[plans];
            spills = 0;
            for (int k = 0; k < steps.size(); k++) {
                if (!spill[level[k]][k]) {
                    continue;
                }
                int lastReload = level[k];
                for (int p = level[k]; p < passes; p++) {
                    lastReload = reload[p][k] ? p : lastReload;
                }
                for (int j = k + 1; j < steps.size() && !steps.get(k).ints(); j++) {
                    Step store = steps.get(j);
                    if (store.op() == Opcode.STORE && store.access() == Access.CONTIGUOUS && store.type() == ElementType.F32
                            && level[j] >= lastReload && !planTaken[store.plan()]) {
                        spillPlan[k] = store.plan();
                        planTaken[store.plan()] = true;
                        break;
                    }
                }
                if (spillPlan[k] < 0) {
                    spillSlot[k] = spills++;
                }
            }
        }

        int count() {
            return needed.length;
        }

        /**
         * Whether runs over streamed rows skew the passes: the last pass with sinks over one row in
         * the same loop as the first over the next row ({@link PassEmitter#emitSkewed}); it takes
         * two passes with sinks.
         */
        boolean skewed() {
            // A product is computed per tile, and its rows are read by their row in the tile.
            return product < 0 && firstSinkPass() != lastSinkPass();
        }

        int firstSinkPass() {
            int p = 0;
            while (!hasSinks(p)) {
                p++;
            }
            return p;
        }

        int lastSinkPass() {
            int p = count() - 1;
            while (!hasSinks(p)) {
                p--;
            }
            return p;
        }

        boolean hasSinks(int p) {
            for (boolean n : needed[p]) {
                if (n) {
                    return true;
                }
            }
            return false;
        }

        /** Marks step k and the steps it reads as computed by pass p. */
        private void need(int p, int k) {
            Step s = steps.get(k);
            if (s.row() && !reduction(s)) {
                needRow(p, k);
                return;
            }
            if (needed[p][k]) {
                return;
            }
            needed[p][k] = true;
            if (level[k] < p && spillable(s) && readByOwnPass[k]) {
                reload[p][k] = true;
                if (!spill[level[k]][k]) {
                    spill[level[k]][k] = true;
                    need(level[k], k);
                }
                return;
            }
            // A BROADCAST_ROW's operand and a ROW_BINARY's row operand are row values.
            if (s.a() >= 0) {
                if (s.op() == Opcode.BROADCAST_ROW) {
                    needRow(p, s.a());
                } else {
                    need(p, s.a());
                }
            }
            if (s.b() >= 0) {
                if (s.op().layout() == Layout.ROW_BINARY) {
                    needRow(p, s.b());
                } else {
                    need(p, s.b());
                }
            }
            if (s.c() >= 0) {
                need(p, s.c());
            }
        }

        /** Marks row value k and the row values it is computed from as used by pass p; a reduction's result is in the frame. */
        private void needRow(int p, int k) {
            if (rowNeeded[p][k]) {
                return;
            }
            rowNeeded[p][k] = true;
            Step s = steps.get(k);
            if (!reduction(s)) {
                if (s.a() >= 0) {
                    needRow(p, s.a());
                }
                if (s.b() >= 0) {
                    needRow(p, s.b());
                }
                if (s.c() >= 0) {
                    needRow(p, s.c());
                }
            }
        }

        /** A computed full-buffer value; LOADs reload from memory, FILL, BROADCAST_ROW and aliases (COPY, same-type CAST) cost nothing. */
        private static boolean spillable(Step s) {
            return switch (s.op().layout()) {
                case UNARY, CAST -> !s.aliases();
                case BINARY, BINARY_SCALAR, ROW_BINARY, SELECT -> true;
                default -> false;
            };
        }
    }

    private static boolean reduction(Step s) {
        return REDUCTIONS.contains(s.op());
    }

    /** Whether a step's operands are int words (its type is I32 or BOOL); a CAST's source. */
    private static boolean operandInts(Step s) {
        return s.type().computeType() == ElementType.I32;
    }

    /** A LOAD or STORE that moves elements one lane at a time: strided, or F16 (no vector conversion). */
    private static boolean laneByLane(Step s) {
        return s.access() == Access.STRIDED || s.access() == Access.CONTIGUOUS && s.type() == ElementType.F16;
    }

    private static final String FRAME = Type.getInternalName(JitRuntime.Frame.class);
    private static final String FRAME_D = "L" + FRAME + ";";
    /** A pass over rows [first, end) of a tile: {@code (st, segments, frame, cols, first, end)}; each row's addresses and row values are in the frame. */
    private static final String PASS_D = "(L" + PLAN + ";[" + SEGMENT_D + FRAME_D + "III)V";

    /** Pushes an int constant. */
    private static void push(MethodVisitor mv, int v) {
        if (v <= 5) {
            mv.visitInsn(ICONST_0 + v);
        } else if (v <= Short.MAX_VALUE) {
            mv.visitIntInsn(SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    /** A method being emitted: its visitor and the locals handed out after its parameters. */
    private abstract static class MethodEmitter {
        final MethodVisitor mv;
        /** The next free local, in a box that the emitters of one method's parts share. */
        private final int[] next;

        MethodEmitter(MethodVisitor mv, int[] next) {
            this.mv = mv;
            this.next = next;
        }

        /** A new local of {@code size} slots. */
        int local(int size) {
            int at = next[0];
            next[0] += size;
            return at;
        }

        /** Pushes {@code row * perRow + entry}: where the frame keeps a row's entry ({@link JitRuntime.Frame}); {@code row} an int local. */
        void frameIndex(int row, int perRow, int entry) {
            mv.visitVarInsn(ILOAD, row);
            push(mv, perRow);
            mv.visitInsn(IMUL);
            push(mv, entry);
            mv.visitInsn(IADD);
        }

        /** for (counter = 0; counter < limit; counter++) body; both int locals. */
        void countUp(int counter, int limit, Runnable body) {
            countUp(counter, limit, body, () -> mv.visitIincInsn(counter, 1));
        }

        /** for (counter = 0; counter < limit; next) body; both int locals. */
        void countUp(int counter, int limit, Runnable body, Runnable next) {
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, counter);
            countFrom(counter, limit, body, next);
        }

        /** for (; counter < limit; counter++) body, counter already set; both long locals. */
        void countFromLong(int counter, int limit, Runnable body) {
            Label top = new Label(), done = new Label();
            mv.visitLabel(top);
            mv.visitVarInsn(LLOAD, counter);
            mv.visitVarInsn(LLOAD, limit);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGE, done);
            body.run();
            pushPlusOne(counter);
            mv.visitVarInsn(LSTORE, counter);
            mv.visitJumpInsn(GOTO, top);
            mv.visitLabel(done);
        }

        /** Pushes {@code counter + 1}; a long local. */
        void pushPlusOne(int counter) {
            mv.visitVarInsn(LLOAD, counter);
            mv.visitInsn(LCONST_1);
            mv.visitInsn(LADD);
        }

        /** for (; counter < limit; next) body, counter already set; both int locals. */
        void countFrom(int counter, int limit, Runnable body, Runnable next) {
            Label top = new Label(), done = new Label();
            mv.visitLabel(top);
            mv.visitVarInsn(ILOAD, counter);
            mv.visitVarInsn(ILOAD, limit);
            mv.visitJumpInsn(IF_ICMPGE, done);
            body.run();
            next.run();
            mv.visitJumpInsn(GOTO, top);
            mv.visitLabel(done);
        }
    }

    /**
     * Emits {@code run}: the tile loop of {@link TileInterpreter#run}; per tile, every row's byte
     * address per memory plan into the frame, then each pass over a group of the tile's rows
     * ({@link JitRuntime#rowGroup}), group by group. Locals: 0 this, 1 st, 2 first, 4 end,
     * 6 segments, 7 bases, then the ones {@link #local} hands out.
     *
     * <p>Each pass is its own small method so that the JIT compilers take them one at a time: one
     * method holding every pass of softmax (each pass's chain twice, unmasked and masked) made C1
     * run out of registers and C2 never compile it, which left its vectors boxed.
     */
    private static final class RunEmitter extends MethodEmitter {
        private static final int ST = 1, FIRST = 2, END = 4, SEGMENTS = 6, BASES = 7;
        private final String owner;
        private final Passes passes;
        private final int[] planLocal, base;
        private int frame, address, groupRows, t, rowStart, colStart, rows, cols, r;

        RunEmitter(MethodVisitor mv, String owner, Passes passes) {
            super(mv, new int[] {8});
            this.owner = owner;
            this.passes = passes;
            planLocal = new int[passes.plans];
            base = new int[passes.plans];
        }

        void emit() {
            mv.visitCode();
            prologue();
            if (passes.skewed()) {
                skewedRows();
            }
            t = local(2);
            mv.visitVarInsn(LLOAD, FIRST);
            mv.visitVarInsn(LSTORE, t);
            countFromLong(t, END, () -> {
                tileRegister();
                if (passes.product >= 0) {
                    product();
                }
                rowLoop();
            });
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        /** The frame and its address array; the rows per pass call; per plan, the MemoryPlan and its base. */
        private void prologue() {
            groupRows = local(1);
            mv.visitVarInsn(ALOAD, ST);
            mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "rowGroup", "(L" + PLAN + ";)I", false);
            mv.visitVarInsn(ISTORE, groupRows);
            frame = local(1);
            mv.visitVarInsn(ALOAD, ST);
            push(mv, passes.plans);
            push(mv, passes.steps.size());
            push(mv, passes.spills);
            mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "frame", "(L" + PLAN + ";III)" + FRAME_D, false);
            mv.visitVarInsn(ASTORE, frame);
            address = local(1);
            mv.visitVarInsn(ALOAD, frame);
            mv.visitFieldInsn(GETFIELD, FRAME, "address", "[J");
            mv.visitVarInsn(ASTORE, address);
            for (Step s : passes.steps) {
                int p = s.plan();
                if (p >= 0 && planLocal[p] == 0) {
                    planLocal[p] = local(1);
                    mv.visitVarInsn(ALOAD, ST);
                    mv.visitFieldInsn(GETFIELD, PLAN, "memory", "[L" + MEMORY_PLAN + ";");
                    push(mv, p);
                    mv.visitInsn(AALOAD);
                    mv.visitVarInsn(ASTORE, planLocal[p]);
                    base[p] = local(2);
                    mv.visitVarInsn(ALOAD, BASES);
                    mv.visitVarInsn(ALOAD, planLocal[p]);
                    mv.visitMethodInsn(INVOKEVIRTUAL, MEMORY_PLAN, "slot", "()I", false);
                    mv.visitInsn(LALOAD);
                    mv.visitVarInsn(LSTORE, base[p]);
                }
            }
        }

        /** rowStart, colStart, rows, cols of tile t, as {@link TileInterpreter#run} computes them. */
        private void tileRegister() {
            int rowBlock = local(2);
            mv.visitVarInsn(LLOAD, t);
            field("colBlocks");
            mv.visitInsn(LDIV);
            mv.visitVarInsn(LSTORE, rowBlock);
            rowStart = local(2);
            mv.visitVarInsn(LLOAD, rowBlock);
            intField("rows");
            mv.visitInsn(LMUL);
            mv.visitVarInsn(LSTORE, rowStart);
            colStart = local(2);
            mv.visitVarInsn(LLOAD, t);
            mv.visitVarInsn(LLOAD, rowBlock);
            field("colBlocks");
            mv.visitInsn(LMUL);
            mv.visitInsn(LSUB);
            intField("cols");
            mv.visitInsn(LMUL);
            mv.visitVarInsn(LSTORE, colStart);
            rows = extent("rows", "totalRows", rowStart);
            cols = extent("cols", "totalCols", colStart);
        }

        /** The tile's product into the frame's UB ({@link JitRuntime#product}). */
        private void product() {
            mv.visitVarInsn(ALOAD, ST);
            push(mv, passes.product);
            mv.visitVarInsn(ALOAD, SEGMENTS);
            mv.visitVarInsn(ALOAD, BASES);
            mv.visitVarInsn(LLOAD, rowStart);
            mv.visitVarInsn(ILOAD, rows);
            mv.visitVarInsn(LLOAD, colStart);
            mv.visitVarInsn(ILOAD, cols);
            mv.visitVarInsn(ALOAD, frame);
            mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "product", "(L" + PLAN + ";I[" + SEGMENT_D + "[JJIJI" + FRAME_D + ")V", false);
        }

        private void field(String name) {
            mv.visitVarInsn(ALOAD, ST);
            mv.visitFieldInsn(GETFIELD, PLAN, name, "J");
        }

        private void intField(String name) {
            mv.visitVarInsn(ALOAD, ST);
            mv.visitFieldInsn(GETFIELD, PLAN, name, "I");
            mv.visitInsn(I2L);
        }

        /** (int) min(st.perTile, st.total - start) in a new local. */
        private int extent(String perTile, String total, int start) {
            int at = local(1);
            intField(perTile);
            field(total);
            mv.visitVarInsn(LLOAD, start);
            mv.visitInsn(LSUB);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(JJ)J", false);
            mv.visitInsn(L2I);
            mv.visitVarInsn(ISTORE, at);
            return at;
        }

        /**
         * When the stage's rows stream from memory (a group of one row), each tile spans whole
         * rows and rows are whole vectors: the rows of tiles [first, end) one after the other, each pass in order on each
         * row, except that the last pass with sinks on a row runs in one loop with the first on
         * the next row ({@link PassEmitter#emitSkewed}), tile boundaries included. Rows alternate
         * between frame rows 0 and 1. Returns from {@code run}; otherwise falls through to the
         * tile loop.
         */
        private void skewedRows() {
            Label tiles = new Label();
            mv.visitVarInsn(ILOAD, groupRows);
            mv.visitInsn(ICONST_1);
            mv.visitJumpInsn(IF_ICMPNE, tiles);
            field("colBlocks");
            mv.visitInsn(LCONST_1);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFNE, tiles);
            field("totalCols");
            mv.visitFieldInsn(GETSTATIC, UNIT, "LANES", "I");
            mv.visitInsn(I2L);
            mv.visitInsn(LREM);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFNE, tiles);
            colStart = local(2);
            mv.visitInsn(LCONST_0);
            mv.visitVarInsn(LSTORE, colStart);
            int row = local(2), rowEnd = local(2), at = local(1), next = local(1);
            mv.visitVarInsn(LLOAD, FIRST);
            intField("rows");
            mv.visitInsn(LMUL);
            mv.visitVarInsn(LSTORE, row);
            mv.visitVarInsn(LLOAD, END);
            intField("rows");
            mv.visitInsn(LMUL);
            field("totalRows");
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(JJ)J", false);
            mv.visitVarInsn(LSTORE, rowEnd);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, at);
            rowAddresses(at, () -> mv.visitVarInsn(LLOAD, row));
            cols = local(1);
            field("totalCols");
            mv.visitInsn(L2I);
            mv.visitVarInsn(ISTORE, cols);
            int firstPass = passes.firstSinkPass(), lastPass = passes.lastSinkPass();
            callPass("pass" + firstPass, cols, at, () -> pushNext(at));
            countFromLong(row, rowEnd, () -> {
                for (int p = firstPass + 1; p < lastPass; p++) {
                    if (passes.hasSinks(p)) {
                        callPass("pass" + p, cols, at, () -> pushNext(at));
                    }
                }
                // if (row + 1 < rowEnd): the next row's addresses, then both passes in one loop
                Label last = new Label(), advance = new Label();
                pushPlusOne(row);
                mv.visitVarInsn(LLOAD, rowEnd);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFGE, last);
                mv.visitVarInsn(ILOAD, at);
                mv.visitInsn(ICONST_1);
                mv.visitInsn(IXOR);
                mv.visitVarInsn(ISTORE, next);
                rowAddresses(next, () -> pushPlusOne(row));
                callPass("skewed", cols, at, () -> mv.visitVarInsn(ILOAD, next));
                mv.visitVarInsn(ILOAD, next);
                mv.visitVarInsn(ISTORE, at);
                mv.visitJumpInsn(GOTO, advance);
                mv.visitLabel(last);
                callPass("pass" + lastPass, cols, at, () -> pushNext(at));
                mv.visitLabel(advance);
            });
            mv.visitInsn(RETURN);
            mv.visitLabel(tiles);
        }

        /** Pushes {@code at + 1}. */
        private void pushNext(int at) {
            mv.visitVarInsn(ILOAD, at);
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IADD);
        }

        /** Calls {@code name(st, segments, frame, cols, a, b)} with the int locals cols and a and what {@code pushB} pushes. */
        private void callPass(String name, int cols, int a, Runnable pushB) {
            mv.visitVarInsn(ALOAD, ST);
            mv.visitVarInsn(ALOAD, SEGMENTS);
            mv.visitVarInsn(ALOAD, frame);
            mv.visitVarInsn(ILOAD, cols);
            mv.visitVarInsn(ILOAD, a);
            pushB.run();
            mv.visitMethodInsn(INVOKESTATIC, owner, name, PASS_D, false);
        }

        /** Every row's addresses into the frame, then each pass over a group of rows ({@link JitRuntime#rowGroup}), group by group. */
        private void rowLoop() {
            r = local(1);
            countUp(r, rows, () -> rowAddresses(r, () -> {
                mv.visitVarInsn(LLOAD, rowStart);
                mv.visitVarInsn(ILOAD, r);
                mv.visitInsn(I2L);
                mv.visitInsn(LADD);
            }));
            int group = local(1), end = local(1);
            countUp(group, rows, () -> {
                // end = min(group + groupRows, rows)
                mv.visitVarInsn(ILOAD, group);
                mv.visitVarInsn(ILOAD, groupRows);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ILOAD, rows);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
                mv.visitVarInsn(ISTORE, end);
                for (int p = 0; p < passes.count(); p++) {
                    if (passes.hasSinks(p)) {
                        callPass("pass" + p, cols, group, () -> mv.visitVarInsn(ILOAD, end));
                    }
                }
            }, () -> {
                mv.visitVarInsn(ILOAD, end);
                mv.visitVarInsn(ISTORE, group);
            });
        }

        /** Every plan's byte address at the stage row {@code pushRow} pushes (a long), column colStart, into the frame at frameRow * plans + plan. */
        private void rowAddresses(int frameRow, Runnable pushRow) {
            for (int p = 0; p < planLocal.length; p++) {
                if (planLocal[p] == 0) {
                    continue;
                }
                mv.visitVarInsn(ALOAD, address);
                frameIndex(frameRow, planLocal.length, p);
                mv.visitVarInsn(ALOAD, planLocal[p]);
                mv.visitVarInsn(ALOAD, ST);
                mv.visitFieldInsn(GETFIELD, PLAN, "outerExtents", "[I");
                mv.visitVarInsn(LLOAD, base[p]);
                pushRow.run();
                mv.visitVarInsn(LLOAD, colStart);
                mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "rowAddress", "(L" + MEMORY_PLAN + ";[IJJJ)J", false);
                mv.visitInsn(LASTORE);
            }
        }
    }

    /**
     * Emits {@code pass<p>(st, segments, frame, cols, first, end)}: pass p over tile rows
     * [first, end). Before the rows: the segments of the plans it touches, scalars, FILL values,
     * the loop bound. Per row: its addresses, broadcast LOADs, the row values it uses (reduction
     * results from the frame, then the operations on them, in program order), scratch offsets,
     * accumulators; then the vector loop (the chain unmasked) and the tail (the chain under a
     * mask); last, each reduction's result into the frame.
     */
    private static final class PassEmitter extends MethodEmitter {
        private static final int ST = 0, SEGMENTS = 1, FRAME_ARG = 2, COLS = 3, FIRST = 4, END = 5;
        private final Passes passes;
        private final List<Step> steps;
        private final int p;
        /** Per step, the local holding its value (COPY, CAST and BROADCAST_ROW share their operand's), its scalar's, its accumulator's. */
        private final int[] value, scalar, spillBase;
        /** Per REDUCE step, the locals of its accumulators: a SUM's one of floats, a MAX's or MIN's three of bits. */
        private final int[][] accumulators;
        /** Per plan, the locals of its segment, its row address and, for lane-by-lane access, its stride in bytes. */
        private final int[] segment, address, strideBytes;
        /** Per contiguous F32 plan, the local of its row as a segment of its own (0 for other plans). */
        private final int[] rowSegment;
        private int scratch, bound, c, offset, mask, row, rowBase;
        /** Locals of the frame's UB and of the product row's first word there, when this pass reads the product. */
        private int ub, productRow;

        PassEmitter(MethodVisitor mv, Passes passes, int p) {
            this(mv, new int[] {6}, passes, p);
        }

        /** An emitter of pass p in a method whose locals from {@code next[0]} on it shares with other passes' emitters. */
        private PassEmitter(MethodVisitor mv, int[] next, Passes passes, int p) {
            super(mv, next);
            this.passes = passes;
            this.steps = passes.steps;
            this.p = p;
            value = new int[steps.size()];
            scalar = new int[steps.size()];
            accumulators = new int[steps.size()][];
            spillBase = new int[steps.size()];
            segment = new int[passes.plans];
            address = new int[passes.plans];
            strideBytes = new int[passes.plans];
            rowSegment = new int[passes.plans];
        }

        /** Whether this pass computes step k with its chain (as opposed to reloading it or not needing it). */
        private boolean computes(int k) {
            return passes.needed[p][k] && !passes.reload[p][k];
        }

        void emit() {
            mv.visitCode();
            prepare();
            mv.visitVarInsn(ILOAD, FIRST);
            mv.visitVarInsn(ISTORE, row);
            countFrom(row, END, () -> {
                rowSetup();
                loop();
                epilogue();
            }, () -> mv.visitIincInsn(row, 1));
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        /**
         * Emits {@code skewed(st, segments, frame, cols, a, b)}: the last pass with sinks over
         * frame row a and the first over frame row b, both chains in one loop over the columns.
         * Over rows streamed from memory, row b's loads then issue among row a's work (which reads
         * its row from the L1 cache) instead of after it. At 16M elements on one core (runs
         * alternated in one JVM): softmax 6.6 → 6.1 ms, RMSNorm 4.4 → 4.3 ms, LayerNorm 4.7 →
         * 4.6 ms. Each row's chains and reductions
         * are the passes' own, in the same order, so the results are the same bits. Rows are whole
         * vectors ({@code run} skews only then): with masked tails too, the method made C1 run out
         * of virtual registers, and it stayed in C1's slowest code (LayerNorm 16M: 180 ms, not 5).
         */
        static void emitSkewed(MethodVisitor mv, Passes passes) {
            int[] next = {6};
            PassEmitter last = new PassEmitter(mv, next, passes, passes.lastSinkPass());
            PassEmitter first = new PassEmitter(mv, next, passes, passes.firstSinkPass());
            mv.visitCode();
            last.prepare();
            first.prepare();
            mv.visitVarInsn(ILOAD, FIRST);
            mv.visitVarInsn(ISTORE, last.row);
            mv.visitVarInsn(ILOAD, END);
            mv.visitVarInsn(ISTORE, first.row);
            last.rowSetup();
            first.rowSetup();
            last.wholeVectors(first);
            last.epilogue();
            first.epilogue();
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        /** Locals for the steps and the row, then what every row of the pass shares. */
        private void prepare() {
            assignLocals();
            invariants();
            row = local(1);
            rowBase = local(1);
        }

        private void assignLocals() {
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                value[k] = switch (s.op().layout()) {
                    case UNARY, CAST -> s.aliases() ? value[s.a()] : local(1);
                    case ROW -> s.op() == Opcode.BROADCAST_ROW ? value[s.a()] : local(1);
                    case MEMORY -> s.op() == Opcode.LOAD ? local(1) : -1;
                    default -> local(1);
                };
            }
        }

        /** What every row of the pass shares: segments, strides, scalars, FILL values, the loop bound; locals for the rest. */
        private void invariants() {
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                int q = s.plan();
                if (q >= 0 && computes(k)) {
                    plan(q, s.access() == Access.CONTIGUOUS && s.type() == ElementType.F32);
                }
                if (q >= 0 && computes(k) && laneByLane(s) && strideBytes[q] == 0) {
                    strideBytes[q] = local(2);
                    mv.visitVarInsn(ALOAD, ST);
                    mv.visitFieldInsn(GETFIELD, PLAN, "memory", "[L" + MEMORY_PLAN + ";");
                    push(mv, q);
                    mv.visitInsn(AALOAD);
                    mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "strideBytes", "(L" + MEMORY_PLAN + ";)J", false);
                    mv.visitVarInsn(LSTORE, strideBytes[q]);
                }
                if (computes(k) || passes.rowNeeded[p][k]) {
                    switch (s.op().layout()) {
                        case BINARY_SCALAR -> {
                            scalar[k] = local(1);
                            mv.visitVarInsn(ALOAD, ST);
                            push(mv, k);
                            boolean ints = operandInts(s);
                            mv.visitMethodInsn(INVOKESTATIC, RUNTIME, ints ? "intScalar" : "scalarOperand", "(L" + PLAN + ";I)" + (ints ? INTS_D : VECTOR_D),
                                    false);
                            mv.visitVarInsn(ASTORE, scalar[k]);
                        }
                        case FILL -> {
                            mv.visitVarInsn(ALOAD, ST);
                            push(mv, k);
                            boolean ints = s.ints();
                            mv.visitMethodInsn(INVOKESTATIC, RUNTIME, ints ? "intScalar" : "fillValue", "(L" + PLAN + ";I)" + (ints ? INTS_D : VECTOR_D),
                                    false);
                            mv.visitVarInsn(ASTORE, value[k]);
                        }
                        default -> {}
                    }
                }
            }
            for (int k = 0; k < steps.size(); k++) {
                if ((passes.spill[p][k] || passes.reload[p][k]) && passes.spillPlan[k] >= 0) {
                    plan(passes.spillPlan[k], true);
                } else if (passes.spill[p][k] || passes.reload[p][k]) {
                    if (scratch == 0) {
                        scratch = local(1);
                        mv.visitVarInsn(ALOAD, FRAME_ARG);
                        mv.visitFieldInsn(GETFIELD, FRAME, "scratch", "[F");
                        mv.visitVarInsn(ASTORE, scratch);
                    }
                    spillBase[k] = local(1);
                }
                if (reduction(steps.get(k)) && passes.needed[p][k]) {
                    accumulators[k] = new int[steps.get(k).op() == Opcode.REDUCE_SUM ? 1 : PanamaVectorUnit.EXTREMUM_ACCUMULATORS];
                    for (int i = 0; i < accumulators[k].length; i++) {
                        accumulators[k][i] = local(1);
                    }
                }
            }
            if (passes.product >= 0 && computes(passes.product)) {
                ub = local(1);
                mv.visitVarInsn(ALOAD, FRAME_ARG);
                mv.visitFieldInsn(GETFIELD, FRAME, "ub", "[I");
                mv.visitVarInsn(ASTORE, ub);
                productRow = local(1);
            }
            bound = local(1);
            mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
            mv.visitVarInsn(ILOAD, COLS);
            mv.visitMethodInsn(INVOKEINTERFACE, SPECIES, "loopBound", "(I)I", true);
            mv.visitVarInsn(ISTORE, bound);
        }

        /**
         * What differs per row: the plans' row addresses and row segments, broadcast LOADs, the
         * row values, scratch offsets, the accumulators. Row r's addresses are at r * plans in the
         * frame, its row values at r * steps, its spilled rows at (r * spills + slot) * stride.
         */
        private void rowSetup() {
            for (int q = 0; q < segment.length; q++) {
                if (segment[q] == 0) {
                    continue;
                }
                mv.visitVarInsn(ALOAD, FRAME_ARG);
                mv.visitFieldInsn(GETFIELD, FRAME, "address", "[J");
                frameIndex(row, passes.plans, q);
                mv.visitInsn(LALOAD);
                mv.visitVarInsn(LSTORE, address[q]);
                if (rowSegment[q] != 0) {
                    // The row's whole vectors as a segment of their own: each vector's bounds check in
                    // the unmasked loop is then provable from the loop bound, so C2 needs no profiled
                    // loop predicate for it (one that trapped left the loop 2x slower). Only the
                    // unmasked loop uses it, so that escape analysis can remove it.
                    mv.visitVarInsn(ALOAD, segment[q]);
                    mv.visitVarInsn(LLOAD, address[q]);
                    mv.visitVarInsn(ILOAD, bound);
                    mv.visitInsn(I2L);
                    mv.visitInsn(ICONST_2);
                    mv.visitInsn(LSHL);
                    mv.visitMethodInsn(INVOKEINTERFACE, SEGMENT, "asSlice", "(JJ)" + SEGMENT_D, true);
                    mv.visitVarInsn(ASTORE, rowSegment[q]);
                }
            }
            if (productRow != 0) {
                mv.visitVarInsn(ALOAD, ST);
                push(mv, passes.product);
                mv.visitVarInsn(ILOAD, row);
                mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "productRow", "(L" + PLAN + ";II)I", false);
                mv.visitVarInsn(ISTORE, productRow);
            }
            frameIndex(row, steps.size(), 0);
            mv.visitVarInsn(ISTORE, rowBase);
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                if (computes(k) && s.access() == Access.BROADCAST) {
                    mv.visitVarInsn(ALOAD, segment[s.plan()]);
                    mv.visitVarInsn(LLOAD, address[s.plan()]);
                    push(mv, s.type().code());
                    mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "broadcastWord", "(" + SEGMENT_D + "JI)" + INTS_D, false);
                    asKind(s.ints());
                    mv.visitVarInsn(ASTORE, value[k]);
                }
                if (passes.rowNeeded[p][k]) {
                    if (reduction(s)) {
                        mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
                        rowValue(k);
                        mv.visitInsn(FALOAD);
                        mv.visitMethodInsn(INVOKESTATIC, VECTOR, "broadcast", "(" + SPECIES_D + "F)" + VECTOR_D, false);
                        mv.visitVarInsn(ASTORE, value[k]);
                    } else {
                        operation(k, s);
                    }
                }
                if (spillBase[k] != 0) {
                    mv.visitVarInsn(ALOAD, ST);
                    mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "scratchStride", "(L" + PLAN + ";)I", false);
                    frameIndex(row, passes.spills, passes.spillSlot[k]);
                    mv.visitInsn(IMUL);
                    mv.visitVarInsn(ISTORE, spillBase[k]);
                }
                if (reduction(s) && passes.needed[p][k]) {
                    if (s.op() == Opcode.REDUCE_SUM) {
                        mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
                        mv.visitLdcInsn(-0f);
                        mv.visitMethodInsn(INVOKESTATIC, VECTOR, "broadcast", "(" + SPECIES_D + "F)" + VECTOR_D, false);
                        mv.visitVarInsn(ASTORE, accumulators[k][0]);
                    } else {
                        for (int i = 0; i < accumulators[k].length; i++) {
                            pushIsMax(s);
                            push(mv, i);
                            mv.visitMethodInsn(INVOKESTATIC, UNIT, "extremumStart", "(ZI)" + INTS_D, false);
                            mv.visitVarInsn(ASTORE, accumulators[k][i]);
                        }
                    }
                }
            }
        }

        /** Pushes frame.row and the index of the current row's value of step k in it. */
        private void rowValue(int k) {
            mv.visitVarInsn(ALOAD, FRAME_ARG);
            mv.visitFieldInsn(GETFIELD, FRAME, "row", "[F");
            mv.visitVarInsn(ILOAD, rowBase);
            push(mv, k);
            mv.visitInsn(IADD);
        }

        /** Locals for plan q's segment (loaded here, once per pass) and row address, and for a contiguous F32 plan its row's segment. */
        private void plan(int q, boolean contiguousF32) {
            if (segment[q] != 0) {
                return;
            }
            segment[q] = local(1);
            mv.visitVarInsn(ALOAD, SEGMENTS);
            mv.visitVarInsn(ALOAD, ST);
            mv.visitFieldInsn(GETFIELD, PLAN, "memory", "[L" + MEMORY_PLAN + ";");
            push(mv, q);
            mv.visitInsn(AALOAD);
            mv.visitMethodInsn(INVOKEVIRTUAL, MEMORY_PLAN, "slot", "()I", false);
            mv.visitInsn(AALOAD);
            mv.visitVarInsn(ASTORE, segment[q]);
            address[q] = local(2);
            if (contiguousF32) {
                rowSegment[q] = local(1);
            }
        }

        /** The vector loop over the row's whole vectors, then its tail under a mask. */
        private void loop() {
            wholeVectors();
            mask = local(1);
            Label done = new Label();
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, COLS);
            mv.visitJumpInsn(IF_ICMPGE, done);
            mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, COLS);
            mv.visitMethodInsn(INVOKEINTERFACE, SPECIES, "indexInRange", "(II)" + MASK_D, true);
            mv.visitVarInsn(ASTORE, mask);
            chain(true);
            mv.visitLabel(done);
        }

        /** The vector loop over the row's whole vectors; each step also runs the chains of {@code alongside}. */
        private void wholeVectors(PassEmitter... alongside) {
            c = local(1);
            offset = local(2);
            for (PassEmitter other : alongside) {
                other.c = c;
                other.offset = offset;
            }
            countUp(c, bound, () -> {
                chain(false);
                for (PassEmitter other : alongside) {
                    other.chain(false);
                }
            }, this::nextVector);
        }

        /** c += LANES. */
        private void nextVector() {
            mv.visitVarInsn(ILOAD, c);
            mv.visitFieldInsn(GETSTATIC, UNIT, "LANES", "I");
            mv.visitInsn(IADD);
            mv.visitVarInsn(ISTORE, c);
        }

        /** Each reduction of this pass: the row's value of step k in the frame = its result. */
        private void epilogue() {
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                if (reduction(s) && passes.needed[p][k]) {
                    rowValue(k);
                    if (s.op() == Opcode.REDUCE_SUM) {
                        mv.visitVarInsn(ALOAD, accumulators[k][0]);
                        mv.visitMethodInsn(INVOKESTATIC, UNIT, "sumLanes", UNARY_D, false);
                        mv.visitInsn(ICONST_0);
                        mv.visitMethodInsn(INVOKEVIRTUAL, VECTOR, "lane", "(I)F", false);
                    } else {
                        pushIsMax(s);
                        for (int acc : accumulators[k]) {
                            mv.visitVarInsn(ALOAD, acc);
                        }
                        mv.visitMethodInsn(INVOKESTATIC, UNIT, "extremumOf", "(Z" + INTS_D + INTS_D + INTS_D + ")F", false);
                    }
                    mv.visitInsn(FASTORE);
                }
            }
        }

        /** The chain for one vector step at column c; {@code masked}: under the tail mask. */
        private void chain(boolean masked) {
            mv.visitVarInsn(ILOAD, c);
            mv.visitInsn(I2L);
            mv.visitInsn(ICONST_2);
            mv.visitInsn(LSHL);
            mv.visitVarInsn(LSTORE, offset);
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                if (!passes.needed[p][k]) {
                    continue;
                }
                if (passes.reload[p][k]) {
                    scratchAccess(k, masked, false);
                    continue;
                }
                switch (s.op().layout()) {
                    case MEMORY -> memory(k, s, masked);
                    case MATMUL -> {
                        // Read whole even in the tail: the UB has a vector's slack, and lanes past the row are never stored.
                        mv.visitVarInsn(ALOAD, ub);
                        mv.visitVarInsn(ILOAD, productRow);
                        mv.visitVarInsn(ILOAD, c);
                        mv.visitInsn(IADD);
                        mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "productVector", "([II)" + VECTOR_D, false);
                        mv.visitVarInsn(ASTORE, value[k]);
                    }
                    case ROW -> {
                        if (reduction(s)) {
                            accumulate(k, s, masked);
                        }
                    }
                    default -> operation(k, s);
                }
                if (passes.spill[p][k]) {
                    scratchAccess(k, masked, true);
                }
            }
        }
        /** Step k's vector at column c of its row scratch: stored ({@code store}) or loaded; int words travel as float bits. */
        private void scratchAccess(int k, boolean masked, boolean store) {
            int q = passes.spillPlan[k];
            if (q >= 0) {
                // An F32 value spilled to the output row it is stored to at the end.
                if (store) {
                    mv.visitVarInsn(ALOAD, value[k]);
                } else {
                    mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
                }
                addressOperands(q, masked);
                if (masked) {
                    mv.visitVarInsn(ALOAD, mask);
                }
                String maskD = masked ? MASK_D : "";
                if (store) {
                    mv.visitMethodInsn(INVOKEVIRTUAL, VECTOR, "intoMemorySegment", "(" + SEGMENT_D + "J" + ORDER_D + maskD + ")V", false);
                } else {
                    mv.visitMethodInsn(INVOKESTATIC, VECTOR, "fromMemorySegment", "(" + SPECIES_D + SEGMENT_D + "J" + ORDER_D + maskD + ")" + VECTOR_D, false);
                    mv.visitVarInsn(ASTORE, value[k]);
                }
                return;
            }
            boolean ints = steps.get(k).ints();
            if (store) {
                mv.visitVarInsn(ALOAD, value[k]);
                if (ints) {
                    mv.visitMethodInsn(INVOKEVIRTUAL, INTS, "reinterpretAsFloats", "()" + VECTOR_D, false);
                }
            } else {
                mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
            }
            mv.visitVarInsn(ALOAD, scratch);
            mv.visitVarInsn(ILOAD, spillBase[k]);
            mv.visitVarInsn(ILOAD, c);
            mv.visitInsn(IADD);
            if (masked) {
                mv.visitVarInsn(ALOAD, mask);
            }
            String mask = masked ? MASK_D : "";
            if (store) {
                mv.visitMethodInsn(INVOKEVIRTUAL, VECTOR, "intoArray", "([FI" + mask + ")V", false);
            } else {
                mv.visitMethodInsn(INVOKESTATIC, VECTOR, "fromArray", "(" + SPECIES_D + "[FI" + mask + ")" + VECTOR_D, false);
                if (ints) {
                    mv.visitMethodInsn(INVOKEVIRTUAL, VECTOR, "reinterpretAsInts", "()" + INTS_D, false);
                }
                mv.visitVarInsn(ASTORE, value[k]);
            }
        }

        /** Converts the IntVector of words on the stack to a FloatVector of the same bits unless {@code ints}. */
        private void asKind(boolean ints) {
            if (!ints) {
                mv.visitMethodInsn(INVOKEVIRTUAL, INTS, "reinterpretAsFloats", "()" + VECTOR_D, false);
            }
        }

        /** An elementwise step, over a full buffer's vector or a row value's. */
        private void operation(int k, Step s) {
            switch (s.op().layout()) {
                case UNARY -> {
                    if (!s.aliases()) {
                        unary(k, s);
                    }
                }
                case BINARY -> binary(k, s, value[s.a()], value[s.b()], false);
                case BINARY_SCALAR -> binary(k, s, value[s.a()], scalar[k], s.left());
                // Each row is the scalar form with the row's value (VectorUnit#rowBinary).
                case ROW_BINARY -> binary(k, s, value[s.a()], value[s.b()], s.left());
                case SELECT -> {
                    String kind = s.ints() ? INTS_D : VECTOR_D;
                    mv.visitVarInsn(ALOAD, value[s.a()]);
                    mv.visitVarInsn(ALOAD, value[s.b()]);
                    mv.visitVarInsn(ALOAD, value[s.c()]);
                    mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "select", "(" + INTS_D + kind + kind + ")" + kind, false);
                    mv.visitVarInsn(ASTORE, value[k]);
                }
                case CAST -> {
                    if (!s.aliases()) {
                        cast(k, s);
                    }
                }
                default -> {
                    // FILL and BROADCAST_ROW: their values are locals already.
                }
            }
        }

        private void unary(int k, Step s) {
            boolean ints = operandInts(s);
            String in = ints ? INTS_D : VECTOR_D;
            mv.visitVarInsn(ALOAD, value[s.a()]);
            switch (s.op()) {
                case ISFINITE -> mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "isFinite", "(" + in + ")" + INTS_D, false);
                case LOGICAL_NOT -> mv.visitMethodInsn(INVOKESTATIC, RUNTIME, LOGICAL.get(s.op()), "(" + in + ")" + INTS_D, false);
                default -> {
                    if (ints) {
                        operator(INT_OPERATORS.get(s.op()));
                        mv.visitMethodInsn(INVOKEVIRTUAL, INTS, "lanewise", "(L" + OPERATORS + "$Unary;)" + INTS_D, false);
                    } else {
                        mv.visitMethodInsn(INVOKESTATIC, UNIT, FUNCTIONS.get(s.op()), UNARY_D, false);
                    }
                }
            }
            mv.visitVarInsn(ASTORE, value[k]);
        }

        /**
         * {@code x op y} into step k's local, or {@code y op x} for a scalar-left (row-left)
         * non-commutative op, as {@link PanamaVectorUnit#binaryScalar} computes it; {@code x} and
         * {@code y}: locals holding the operands (a scalar or row value in every lane).
         */
        private void binary(int k, Step s, int x, int y, boolean left) {
            Opcode op = s.op().layout() == Layout.BINARY ? s.op() : PreDecoder.tensorForm(s.op());
            if (left && !ScalarVectorUnit.commutative(op)) {
                int t = x;
                x = y;
                y = t;
            }
            boolean ints = operandInts(s);
            String in = ints ? INTS_D : VECTOR_D;
            String owner = ints ? INTS : VECTOR;
            mv.visitVarInsn(ALOAD, x);
            if (COMPARISONS.containsKey(op)) {
                operator(COMPARISONS.get(op));
                mv.visitVarInsn(ALOAD, y);
                mv.visitMethodInsn(INVOKEVIRTUAL, owner, "compare", "(L" + OPERATORS + "$Comparison;L" + VECTOR_ANY + ";)" + MASK_D, false);
                mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "bool", "(" + MASK_D + ")" + INTS_D, false);
            } else if (LOGICAL.containsKey(op)) {
                mv.visitVarInsn(ALOAD, y);
                mv.visitMethodInsn(INVOKESTATIC, RUNTIME, LOGICAL.get(op), "(" + in + in + ")" + INTS_D, false);
            } else if (ints) {
                operator(INT_OPERATORS.get(op));
                mv.visitVarInsn(ALOAD, y);
                mv.visitMethodInsn(INVOKEVIRTUAL, INTS, "lanewise", "(L" + OPERATORS + "$Binary;L" + VECTOR_ANY + ";)" + INTS_D, false);
            } else {
                mv.visitVarInsn(ALOAD, y);
                mv.visitMethodInsn(INVOKESTATIC, UNIT, FUNCTIONS.get(op), BINARY_D, false);
            }
            mv.visitVarInsn(ASTORE, value[k]);
        }

        /** Pushes the {@code VectorOperators} constant {@code name}, a static final C2 sees as a constant. */
        private void operator(String name) {
            try {
                mv.visitFieldInsn(GETSTATIC, OPERATORS, name, Type.getDescriptor(VectorOperators.class.getField(name).getType()));
            } catch (NoSuchFieldException e) {
                throw new AssertionError(name, e);
            }
        }

        /** A CAST that changes words: to BOOL, between F32 and I32, or rounding to BF16 or F16 (as {@link PanamaVectorUnit#cast}). */
        private void cast(int k, Step s) {
            boolean fromInts = operandInts(s);
            String in = fromInts ? INTS_D : VECTOR_D;
            mv.visitVarInsn(ALOAD, value[s.a()]);
            switch (s.to()) {
                case BOOL -> mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "nonzero", "(" + in + ")" + INTS_D, false);
                case I32 -> mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "toI32", "(" + VECTOR_D + ")" + INTS_D, false);
                case F32 -> mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "toF32", "(" + INTS_D + ")" + VECTOR_D, false);
                case BF16 -> mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "toBf16", UNARY_D, false);
                case F16 -> mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "toF16", UNARY_D, false);
                default -> throw new AssertionError(s);
            }
            mv.visitVarInsn(ASTORE, value[k]);
        }

        /** Pushes whether REDUCE step s is a MAX: the first argument of the extremum functions. */
        private void pushIsMax(Step s) {
            push(mv, s.op() == Opcode.REDUCE_MAX ? 1 : 0);
        }

        /**
         * Each accumulator of REDUCE step k takes the vector of its operand: {@code sumStep} or
         * {@code extremumStep}, or their masked tail forms.
         */
        private void accumulate(int k, Step s, boolean masked) {
            boolean sum = s.op() == Opcode.REDUCE_SUM;
            String accumulatorD = sum ? VECTOR_D : INTS_D;
            String descriptor = "(" + (sum ? "" : "ZI") + accumulatorD + VECTOR_D + (masked ? MASK_D : "") + ")" + accumulatorD;
            String name = (sum ? "sum" : "extremum") + (masked ? "Tail" : "Step");
            for (int i = 0; i < accumulators[k].length; i++) {
                if (!sum) {
                    pushIsMax(s);
                    push(mv, i);
                }
                mv.visitVarInsn(ALOAD, accumulators[k][i]);
                mv.visitVarInsn(ALOAD, value[s.a()]);
                if (masked) {
                    mv.visitVarInsn(ALOAD, mask);
                }
                mv.visitMethodInsn(INVOKESTATIC, UNIT, name, descriptor, false);
                mv.visitVarInsn(ASTORE, accumulators[k][i]);
            }
        }

        /**
         * {@code a op s}, or {@code s op a} for a scalar-left (row-left) non-commutative op, as
         * {@link PanamaVectorUnit#binaryScalar}; {@code operand}: the local holding s in every lane.
         */
        private void binaryScalar(int k, Step s, int operand) {
            Opcode op = PreDecoder.tensorForm(s.op());
            boolean left = s.left() && !ScalarVectorUnit.commutative(op);
            mv.visitVarInsn(ALOAD, left ? operand : value[s.a()]);
            mv.visitVarInsn(ALOAD, left ? value[s.a()] : operand);
            call(op, BINARY_D);
            mv.visitVarInsn(ASTORE, value[k]);
        }

        private void call(Opcode op, String descriptor) {
            mv.visitMethodInsn(INVOKESTATIC, UNIT, FUNCTIONS.get(op), descriptor, false);
        }

        private void memory(int k, Step s, boolean masked) {
            int q = s.plan();
            boolean load = s.op() == Opcode.LOAD;
            if (s.access() == Access.BROADCAST) {
                return;
            }
            if (laneByLane(s)) {
                if (!load) {
                    mv.visitVarInsn(ALOAD, value[s.a()]);
                    if (!s.type().computeType().equals(ElementType.I32)) {
                        mv.visitMethodInsn(INVOKEVIRTUAL, VECTOR, "reinterpretAsInts", "()" + INTS_D, false);
                    }
                }
                mv.visitVarInsn(ALOAD, segment[q]);
                mv.visitVarInsn(LLOAD, address[q]);
                mv.visitVarInsn(ILOAD, c);
                mv.visitInsn(I2L);
                mv.visitVarInsn(LLOAD, strideBytes[q]);
                mv.visitInsn(LMUL);
                mv.visitInsn(LADD);
                mv.visitVarInsn(LLOAD, strideBytes[q]);
                count(masked);
                push(mv, s.type().code());
                if (load) {
                    mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "gather", "(" + SEGMENT_D + "JJII)" + INTS_D, false);
                    asKind(s.ints());
                    mv.visitVarInsn(ASTORE, value[k]);
                } else {
                    mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "scatter", "(" + INTS_D + SEGMENT_D + "JJII)V", false);
                }
                return;
            }
            if (s.type() != ElementType.F32) {
                // I32, BOOL and BF16 rows: helpers that convert between the memory type and UB words.
                String name = switch (s.type()) {
                    case I32 -> "I32";
                    case BOOL -> "Bool";
                    case BF16 -> "Bf16";
                    default -> throw new AssertionError(s);
                };
                String kind = s.type() == ElementType.BF16 ? VECTOR_D : INTS_D;
                if (!load) {
                    mv.visitVarInsn(ALOAD, value[s.a()]);
                }
                mv.visitVarInsn(ALOAD, segment[q]);
                mv.visitVarInsn(LLOAD, address[q]);
                mv.visitVarInsn(ILOAD, c);
                mv.visitInsn(I2L);
                push(mv, Integer.numberOfTrailingZeros(s.type().byteSize()));
                mv.visitInsn(LSHL);
                mv.visitInsn(LADD);
                String countD = "";
                if (masked) {
                    count(true);
                    countD = "I";
                }
                if (load) {
                    mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "load" + name, "(" + SEGMENT_D + "J" + countD + ")" + kind, false);
                    mv.visitVarInsn(ASTORE, value[k]);
                } else {
                    mv.visitMethodInsn(INVOKESTATIC, RUNTIME, "store" + name, "(" + kind + SEGMENT_D + "J" + countD + ")V", false);
                }
                return;
            }
            if (load) {
                mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
                addressOperands(q, masked);
                if (masked) {
                    mv.visitVarInsn(ALOAD, mask);
                }
                mv.visitMethodInsn(INVOKESTATIC, VECTOR, "fromMemorySegment",
                        "(" + SPECIES_D + SEGMENT_D + "J" + ORDER_D + (masked ? MASK_D : "") + ")" + VECTOR_D, false);
                mv.visitVarInsn(ASTORE, value[k]);
            } else {
                mv.visitVarInsn(ALOAD, value[s.a()]);
                addressOperands(q, masked);
                if (masked) {
                    mv.visitVarInsn(ALOAD, mask);
                }
                mv.visitMethodInsn(INVOKEVIRTUAL, VECTOR, "intoMemorySegment", "(" + SEGMENT_D + "J" + ORDER_D + (masked ? MASK_D : "") + ")V", false);
            }
        }

        /** The lanes a memory step moves: all of them, or the tail's {@code cols - c}. */
        private void count(boolean masked) {
            if (masked) {
                mv.visitVarInsn(ILOAD, COLS);
                mv.visitVarInsn(ILOAD, c);
                mv.visitInsn(ISUB);
            } else {
                mv.visitFieldInsn(GETSTATIC, UNIT, "LANES", "I");
            }
        }

        /** segment, address + c * 4, little-endian; in the unmasked loop the row's segment and c * 4. */
        private void addressOperands(int q, boolean masked) {
            if (masked || rowSegment[q] == 0) {
                mv.visitVarInsn(ALOAD, segment[q]);
                mv.visitVarInsn(LLOAD, address[q]);
                mv.visitVarInsn(LLOAD, offset);
                mv.visitInsn(LADD);
            } else {
                mv.visitVarInsn(ALOAD, rowSegment[q]);
                mv.visitVarInsn(LLOAD, offset);
            }
            mv.visitFieldInsn(GETSTATIC, Type.getInternalName(ByteOrder.class), "LITTLE_ENDIAN", ORDER_D);
        }
    }
}
