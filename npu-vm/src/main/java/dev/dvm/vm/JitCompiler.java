package dev.dvm.vm;

import static dev.dvm.vm.StagePlan.*;
import static org.objectweb.asm.Opcodes.*;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * <p>Supported: LOAD and STORE of F32 full tiles over exactly one inner dim with inner stride 1,
 * or 0 for a LOAD (a value broadcast along the row); UNARY, BINARY and BINARY_SCALAR F32 operations
 * that have a per-vector function in {@link #FUNCTIONS}, over full or row buffers; COPY, CAST F32
 * to F32 and FILL F32; REDUCE_SUM/MAX/MIN ({@link #REDUCTIONS}), BROADCAST_ROW and the ROW_BINARY
 * forms of the operations in {@link #FUNCTIONS}.
 */
final class JitCompiler {
    private JitCompiler() {}

    /**
     * One instruction of a supported stage, its UB operands replaced by the steps that produce them
     * ({@code a}, {@code b}; -1 for none), so stages that differ only in UB addresses and instance
     * numbers have equal steps. {@code plan}: the LOAD/STORE's index into {@link StagePlan#memory};
     * {@code broadcast}: a LOAD of inner stride 0; {@code left}: a scalar-left BINARY_SCALAR or a
     * row-left ROW_BINARY (whose {@code b} is the row operand); {@code row}: the step's value is a
     * row buffer (one value per tile row: a reduction or an operation on row buffers).
     */
    record Step(Opcode op, int plan, boolean broadcast, int a, int b, boolean left, boolean row) {}

    /** The structure of a supported stage: the cache key of its generated class. */
    record Shape(List<Step> steps) {
        /** Whether the stage reduces rows or uses row values (the second slice of the tier). */
        boolean hasRows() {
            for (Step s : steps) {
                Layout layout = s.op().layout();
                if (s.row() || layout == Layout.ROW || layout == Layout.ROW_BINARY) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The per-vector function of each supported operation, in its tensor form; all take and return F32 vectors. */
    private static final Map<Opcode, String> FUNCTIONS = new EnumMap<>(Map.ofEntries(
            Map.entry(Opcode.ADD, "addF32"), Map.entry(Opcode.SUB, "subF32"), Map.entry(Opcode.MUL, "mulF32"),
            Map.entry(Opcode.DIV, "divF32"), Map.entry(Opcode.MAX, "maxF32"), Map.entry(Opcode.MIN, "minF32"),
            Map.entry(Opcode.SQRT, "sqrtF32"), Map.entry(Opcode.RSQRT, "rsqrtF32"), Map.entry(Opcode.RECIPROCAL, "reciprocalF32"),
            Map.entry(Opcode.ABS, "absF32"), Map.entry(Opcode.NEG, "negF32"), Map.entry(Opcode.ROUND, "roundF32"),
            Map.entry(Opcode.FLOOR, "floorF32"), Map.entry(Opcode.CEIL, "ceilF32"), Map.entry(Opcode.TRUNC, "truncF32"),
            Map.entry(Opcode.EXP, "expF32"), Map.entry(Opcode.TANH, "tanhF32"), Map.entry(Opcode.SIGMOID, "sigmoidF32")));

    /**
     * A row reduction as {@link PanamaVectorUnit}'s per-step functions: the accumulator's identity,
     * the functions for a whole vector ({@code name + "Step"}), the row's tail ({@code "Tail"}) and
     * the result ({@code "Lanes"}, which takes a 16-float scratch when {@code partials}).
     */
    private record Reduction(String name, float identity, boolean partials) {}

    private static final Map<Opcode, Reduction> REDUCTIONS = new EnumMap<>(Map.of(
            Opcode.REDUCE_SUM, new Reduction("sum", -0f, true),
            Opcode.REDUCE_MAX, new Reduction("max", Float.NEGATIVE_INFINITY, false),
            Opcode.REDUCE_MIN, new Reduction("min", Float.POSITIVE_INFINITY, false)));

    /**
     * The shape of {@code st}, or null when the JIT does not support it. Checks every rule the
     * generated code relies on: a value read from the UB is exactly a buffer an earlier instruction
     * of the tile wrote whole, a full buffer (n = rows × pitch words) or a row buffer (n = rows), so
     * the chain can follow values instead of addresses. Stages whose reductions are split over
     * column blocks hand per-tile partials on through ROWS-flagged LOADs and STOREs, which are not
     * supported: they stay interpreted.
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
            if (st.type(k) != ElementType.F32) {
                return null;
            }
            int n = op.layout() == Layout.MEMORY ? 0 : st.num(k, N);
            // An elementwise operation works on full buffers or on row buffers, its operands alike;
            // the row layouts take n = rows and the stage's pitch.
            boolean row = n == st.rows;
            boolean rowLayout = op.layout() == Layout.ROW || op.layout() == Layout.ROW_BINARY;
            if (op.layout() != Layout.MEMORY && (rowLayout ? !row || st.num(k, op.layout() == Layout.ROW ? B : X) != st.pitch : n != full && !row)) {
                return null;
            }
            Step step;
            int dst = op.layout() == Layout.MEMORY ? 0 : st.num(k, DST), words = n;
            switch (op.layout()) {
                case MEMORY -> {
                    MemoryPlan m = st.memory[st.arg(k)];
                    long inner = m.perRow() ? -1 : m.innerStrides()[0];
                    boolean broadcast = inner == 0;
                    if (inner != 1 && !(broadcast && m.load())) {
                        return null;
                    }
                    words = full;
                    if (m.load()) {
                        step = new Step(op, st.arg(k), broadcast, -1, -1, false, false);
                        dst = m.ubWord();
                    } else {
                        step = new Step(op, st.arg(k), false, producer(live, m.ubWord(), full), -1, false, false);
                        dst = -1;
                    }
                }
                case UNARY -> {
                    if (op != Opcode.COPY && !FUNCTIONS.containsKey(op)) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, st.num(k, A), n), -1, false, row);
                }
                case BINARY -> {
                    if (!FUNCTIONS.containsKey(op)) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, st.num(k, A), n), producer(live, st.num(k, B), n), false, row);
                }
                case BINARY_SCALAR -> {
                    if (!FUNCTIONS.containsKey(PreDecoder.tensorForm(op))) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, st.num(k, A), n), -1, st.arg(k) != 0, row);
                }
                case CAST -> {
                    if (ElementType.ofCode(st.arg(k)) != ElementType.F32) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, st.num(k, A), n), -1, false, row);
                }
                case FILL -> step = new Step(op, -1, false, -1, -1, false, row);
                case ROW -> {
                    if (op == Opcode.BROADCAST_ROW) {
                        step = new Step(op, -1, false, producer(live, st.num(k, A), st.rows), -1, false, false);
                        words = full;
                    } else if (REDUCTIONS.containsKey(op) && (op != Opcode.REDUCE_SUM || PanamaVectorUnit.LANES == 16)) {
                        // A sum's accumulator lanes are the canonical partials only on 16-lane vectors.
                        step = new Step(op, -1, false, producer(live, st.num(k, A), full), -1, false, true);
                    } else {
                        return null;
                    }
                }
                case ROW_BINARY -> {
                    if (!FUNCTIONS.containsKey(PreDecoder.tensorForm(op))) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, st.num(k, A), full), producer(live, st.num(k, B), st.rows), st.arg(k) != 0,
                            false);
                    words = full;
                }
                default -> {
                    return null;
                }
            }
            if (step.a() == MISSING || step.b() == MISSING) {
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

    // ---- run-time helpers the generated code calls ----

    /**
     * Byte address of column {@code colStart} of tile row {@code row} for full-tile plan {@code m}:
     * the row index in mixed radix over the outer extents, as {@link Transfer} does.
     */
    static long rowAddress(MemoryPlan m, int[] outerExtents, long base, long row, long colStart) {
        long[] strides = m.outerStrides();
        long element = m.offset() + colStart * m.innerStrides()[0];
        long rest = row;
        for (int d = outerExtents.length - 1; d >= 0; d--) {
            element += rest % outerExtents[d] * strides[d];
            rest /= outerExtents[d];
        }
        return base + element * Float.BYTES;
    }

    /** The value at {@code address} in every lane: a LOAD of inner stride 0. */
    static FloatVector broadcastLoad(MemorySegment segment, long address) {
        return FloatVector.broadcast(PanamaVectorUnit.F, segment.get(ValueLayout.JAVA_FLOAT_UNALIGNED, address));
    }

    /** The scalar operand of BINARY_SCALAR instruction {@code k}, broadcast as {@link PanamaVectorUnit#binaryScalar} does. */
    static FloatVector scalarOperand(StagePlan st, int k) {
        return FloatVector.broadcast(PanamaVectorUnit.F, Float.intBitsToFloat((int) st.scalars[k]));
    }

    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[16]);

    /** This thread's scratch for the 16 partials of a REDUCE_SUM's result, fetched once per run, so launches allocate nothing. */
    static float[] partials() {
        return PARTIALS.get();
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** Floats of one spilled value's row in the scratch: a tile's columns, whole vectors. */
    static int scratchStride(StagePlan st) {
        return (st.cols + PanamaVectorUnit.LANES - 1) / PanamaVectorUnit.LANES * PanamaVectorUnit.LANES;
    }

    /** This thread's row scratch for {@code spills} values of {@code st}, grown when too small; fetched once per run. */
    static float[] scratch(StagePlan st, int spills) {
        float[] s = SCRATCH.get();
        int floats = scratchStride(st) * spills;
        if (s.length < floats) {
            s = new float[floats];
            SCRATCH.set(s);
        }
        return s;
    }

    /** The value FILL instruction {@code k} writes, bits unchanged as the scalar unit's fill writes them. */
    static FloatVector fillValue(StagePlan st, int k) {
        return IntVector.broadcast(PanamaVectorUnit.I, (int) st.scalars[k]).reinterpretAsFloats();
    }

    // ---- code generation ----

    private static final String SELF = Type.getInternalName(JitCompiler.class);
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
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "run", "(L" + PLAN + ";JJ[" + SEGMENT_D + "[J)V", null, null);
        new RunEmitter(mv, shape.steps()).emit();
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
     * Emits {@code run}. Locals: 0 this, 1 st, 2 first, 4 end, 6 segments, 7 bases, then the ones
     * {@link #local} hands out. The loop nest is tile, row, pass, vector step; each pass's chain is
     * emitted twice, unmasked for whole vectors and masked for the tail.
     *
     * <p>Passes: a step's {@link #level} is the number of reductions its value depends on in
     * sequence, so pass p can compute it once the reductions of the passes before it are done.
     * Pass p runs over the row only for its sinks (STOREs of level p, reductions of level-p
     * values) and computes what they need. A value of an earlier pass is reloaded: a LOAD from
     * its segment again (the row, at most one tile wide, is in the L1 cache), a computed value
     * from the per-thread row scratch its own pass spilled it to (recomputing it would repeat
     * transcendentals such as softmax's EXP and, with every pass's chain inlined twice, exceed
     * C2's inlining budget, which boxes the vectors). Row-buffer steps run
     * once per row before the first pass that can compute them, a reduction's result right after
     * its pass.
     */
    private static final class RunEmitter {
        private static final int ST = 1, FIRST = 2, END = 4, SEGMENTS = 6, BASES = 7;
        private final MethodVisitor mv;
        private final List<Step> steps;
        private int next = 8;
        /**
         * Per step, the local holding its value (COPY and CAST share their operand's) and, for
         * BINARY_SCALAR, its scalar's; per plan, its locals.
         */
        private final int[] value, scalar;
        /** Per REDUCE step, its accumulator's local. */
        private final int[] accumulator;
        private final int[] level;
        /** Per pass, which steps its chain computes, reloads from the scratch, spills to the scratch. */
        private final boolean[][] needed, reload, spill;
        /** Per spilled step, the local holding its scratch offset; the scratch's local. */
        private final int[] spillBase;
        private int spills, scratch;
        private final int[] planLocal, segment, base, address, broadcast;
        private int t, rowStart, colStart, rows, cols, bound, r, c, offset, mask, partials;

        RunEmitter(MethodVisitor mv, List<Step> steps) {
            this.mv = mv;
            this.steps = steps;
            this.value = new int[steps.size()];
            this.scalar = new int[steps.size()];
            this.accumulator = new int[steps.size()];
            this.level = new int[steps.size()];
            int plans = 0, passes = 1;
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                plans = Math.max(plans, s.plan() + 1);
                int operands = Math.max(s.a() >= 0 ? level[s.a()] : 0, s.b() >= 0 ? level[s.b()] : 0);
                level[k] = reduction(s) ? operands + 1 : operands;
                passes = Math.max(passes, level[k] + 1);
            }
            needed = new boolean[passes][steps.size()];
            reload = new boolean[passes][steps.size()];
            spill = new boolean[passes][steps.size()];
            spillBase = new int[steps.size()];
            for (int k = steps.size() - 1; k >= 0; k--) {
                Step s = steps.get(k);
                if (s.op() == Opcode.STORE) {
                    need(level[k], k);
                } else if (reduction(s)) {
                    need(level[s.a()], k);
                }
            }
            planLocal = new int[plans];
            segment = new int[plans];
            base = new int[plans];
            address = new int[plans];
            broadcast = new int[plans];
        }

        private static boolean reduction(Step s) {
            return REDUCTIONS.containsKey(s.op());
        }

        /** Marks step k and the full-buffer steps it reads as computed by pass p's chain; row values are locals already. */
        private void need(int p, int k) {
            Step s = steps.get(k);
            if (needed[p][k] || s.row() && !reduction(s)) {
                return;
            }
            needed[p][k] = true;
            if (level[k] < p && spillable(s)) {
                reload[p][k] = true;
                if (!spill[level[k]][k]) {
                    spill[level[k]][k] = true;
                    spills++;
                    need(level[k], k);
                }
                return;
            }
            // A reduction's operand is read by its own pass; a BROADCAST_ROW's and a ROW_BINARY's row operand is a local.
            if (s.a() >= 0 && !(s.op() == Opcode.BROADCAST_ROW)) {
                need(p, s.a());
            }
            if (s.b() >= 0 && s.op().layout() != Layout.ROW_BINARY) {
                need(p, s.b());
            }
        }

        /** A computed full-buffer value; LOADs reload from memory, FILL, COPY, CAST and BROADCAST_ROW values cost nothing. */
        private static boolean spillable(Step s) {
            return switch (s.op().layout()) {
                case UNARY -> s.op() != Opcode.COPY;
                case BINARY, BINARY_SCALAR, ROW_BINARY -> true;
                default -> false;
            };
        }

        private int local(int size) {
            int at = next;
            next += size;
            return at;
        }

        void emit() {
            mv.visitCode();
            prologue();
            t = local(2);
            long2(LLOAD, FIRST, LSTORE, t);
            Label tileLoop = new Label(), done = new Label();
            mv.visitLabel(tileLoop);
            mv.visitVarInsn(LLOAD, t);
            mv.visitVarInsn(LLOAD, END);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGE, done);
            tileRegister();
            rowLoop();
            mv.visitVarInsn(LLOAD, t);
            mv.visitInsn(LCONST_1);
            mv.visitInsn(LADD);
            mv.visitVarInsn(LSTORE, t);
            mv.visitJumpInsn(GOTO, tileLoop);
            mv.visitLabel(done);
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        private void long2(int load, int from, int store, int to) {
            mv.visitVarInsn(load, from);
            mv.visitVarInsn(store, to);
        }

        /** Per plan: the MemoryPlan, its segment and base; per scalar: its vector; value locals for every step; the scratch. */
        private void prologue() {
            if (spills > 0) {
                scratch = local(1);
                mv.visitVarInsn(ALOAD, ST);
                push(spills);
                mv.visitMethodInsn(INVOKESTATIC, SELF, "scratch", "(L" + PLAN + ";I)[F", false);
                mv.visitVarInsn(ASTORE, scratch);
                int slot = 0;
                for (int k = 0; k < steps.size(); k++) {
                    for (boolean[] pass : spill) {
                        if (pass[k]) {
                            spillBase[k] = local(1);
                            mv.visitVarInsn(ALOAD, ST);
                            mv.visitMethodInsn(INVOKESTATIC, SELF, "scratchStride", "(L" + PLAN + ";)I", false);
                            push(slot++);
                            mv.visitInsn(IMUL);
                            mv.visitVarInsn(ISTORE, spillBase[k]);
                        }
                    }
                }
            }
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                int p = s.plan();
                if (p >= 0 && planLocal[p] == 0) {
                    planLocal[p] = local(1);
                    mv.visitVarInsn(ALOAD, ST);
                    mv.visitFieldInsn(GETFIELD, PLAN, "memory", "[L" + MEMORY_PLAN + ";");
                    push(p);
                    mv.visitInsn(AALOAD);
                    mv.visitVarInsn(ASTORE, planLocal[p]);
                    segment[p] = local(1);
                    mv.visitVarInsn(ALOAD, SEGMENTS);
                    slot(p);
                    mv.visitInsn(AALOAD);
                    mv.visitVarInsn(ASTORE, segment[p]);
                    base[p] = local(2);
                    mv.visitVarInsn(ALOAD, BASES);
                    slot(p);
                    mv.visitInsn(LALOAD);
                    mv.visitVarInsn(LSTORE, base[p]);
                    address[p] = local(2);
                }
                switch (s.op().layout()) {
                    case FILL -> value[k] = scalarVector(k, "fillValue");
                    case BINARY_SCALAR -> {
                        scalar[k] = scalarVector(k, "scalarOperand");
                        value[k] = local(1);
                    }
                    case UNARY, CAST -> value[k] = s.op() == Opcode.COPY || s.op() == Opcode.CAST ? value[s.a()] : local(1);
                    case ROW -> {
                        if (s.op() == Opcode.BROADCAST_ROW) {
                            value[k] = value[s.a()];
                        } else {
                            value[k] = local(1);
                            accumulator[k] = local(1);
                            if (REDUCTIONS.get(s.op()).partials() && partials == 0) {
                                partials = local(1);
                                mv.visitMethodInsn(INVOKESTATIC, SELF, "partials", "()[F", false);
                                mv.visitVarInsn(ASTORE, partials);
                            }
                        }
                    }
                    case MEMORY -> {
                        if (s.broadcast()) {
                            broadcast[p] = local(1);
                            value[k] = broadcast[p];
                        } else if (s.op() == Opcode.LOAD) {
                            value[k] = local(1);
                        }
                    }
                    default -> value[k] = local(1);
                }
            }
        }

        /** A new local holding the vector {@code helper} makes of step {@code k}'s scalar, read once per run. */
        private int scalarVector(int k, String helper) {
            int at = local(1);
            mv.visitVarInsn(ALOAD, ST);
            push(k);
            mv.visitMethodInsn(INVOKESTATIC, SELF, helper, "(L" + PLAN + ";I)" + VECTOR_D, false);
            mv.visitVarInsn(ASTORE, at);
            return at;
        }

        private void slot(int p) {
            mv.visitVarInsn(ALOAD, planLocal[p]);
            mv.visitMethodInsn(INVOKEVIRTUAL, MEMORY_PLAN, "slot", "()I", false);
        }

        private void push(int v) {
            if (v <= 5) {
                mv.visitInsn(ICONST_0 + v);
            } else if (v <= Short.MAX_VALUE) {
                mv.visitIntInsn(SIPUSH, v);
            } else {
                mv.visitLdcInsn(v);
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
            bound = local(1);
            mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
            mv.visitVarInsn(ILOAD, cols);
            mv.visitMethodInsn(INVOKEINTERFACE, SPECIES, "loopBound", "(I)I", true);
            mv.visitVarInsn(ISTORE, bound);
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

        private void rowLoop() {
            r = local(1);
            c = local(1);
            offset = local(2);
            mask = local(1);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, r);
            Label rowLoop = new Label(), tilesNext = new Label();
            mv.visitLabel(rowLoop);
            mv.visitVarInsn(ILOAD, r);
            mv.visitVarInsn(ILOAD, rows);
            mv.visitJumpInsn(IF_ICMPGE, tilesNext);
            rowAddresses();
            for (int p = 0; p < needed.length; p++) {
                rowSteps(p);
                pass(p);
            }
            mv.visitIincInsn(r, 1);
            mv.visitJumpInsn(GOTO, rowLoop);
            mv.visitLabel(tilesNext);
        }

        /**
         * Before pass p: the row-buffer steps of level p (reduction results from pass p - 1 and the
         * operations on them) in program order, then the accumulators of pass p's reductions.
         */
        private void rowSteps(int p) {
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                if (s.row() && level[k] == p) {
                    if (reduction(s)) {
                        Reduction red = REDUCTIONS.get(s.op());
                        mv.visitVarInsn(ALOAD, accumulator[k]);
                        String descriptor = UNARY_D;
                        if (red.partials()) {
                            mv.visitVarInsn(ALOAD, partials);
                            descriptor = "(" + VECTOR_D + "[F)" + VECTOR_D;
                        }
                        mv.visitMethodInsn(INVOKESTATIC, UNIT, red.name() + "Lanes", descriptor, false);
                        mv.visitVarInsn(ASTORE, value[k]);
                    } else {
                        operation(k, s);
                    }
                }
            }
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                if (reduction(s) && needed[p][k]) {
                    mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
                    mv.visitLdcInsn(REDUCTIONS.get(s.op()).identity());
                    mv.visitMethodInsn(INVOKESTATIC, VECTOR, "broadcast", "(" + SPECIES_D + "F)" + VECTOR_D, false);
                    mv.visitVarInsn(ASTORE, accumulator[k]);
                }
            }
        }

        /** Pass p over the row's columns, if it has any sink. */
        private void pass(int p) {
            boolean any = false;
            for (boolean n : needed[p]) {
                any |= n;
            }
            if (!any) {
                return;
            }
            Label vectorLoop = new Label(), tail = new Label(), done = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, c);
            mv.visitLabel(vectorLoop);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, bound);
            mv.visitJumpInsn(IF_ICMPGE, tail);
            chain(p, false);
            mv.visitVarInsn(ILOAD, c);
            mv.visitFieldInsn(GETSTATIC, UNIT, "LANES", "I");
            mv.visitInsn(IADD);
            mv.visitVarInsn(ISTORE, c);
            mv.visitJumpInsn(GOTO, vectorLoop);
            mv.visitLabel(tail);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, cols);
            mv.visitJumpInsn(IF_ICMPGE, done);
            mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, cols);
            mv.visitMethodInsn(INVOKEINTERFACE, SPECIES, "indexInRange", "(II)" + MASK_D, true);
            mv.visitVarInsn(ASTORE, mask);
            chain(p, true);
            mv.visitLabel(done);
        }

        /** Every plan's byte address at the row's first column; the broadcast LOADs' vectors. */
        private void rowAddresses() {
            for (int p = 0; p < planLocal.length; p++) {
                mv.visitVarInsn(ALOAD, planLocal[p]);
                mv.visitVarInsn(ALOAD, ST);
                mv.visitFieldInsn(GETFIELD, PLAN, "outerExtents", "[I");
                mv.visitVarInsn(LLOAD, base[p]);
                mv.visitVarInsn(LLOAD, rowStart);
                mv.visitVarInsn(ILOAD, r);
                mv.visitInsn(I2L);
                mv.visitInsn(LADD);
                mv.visitVarInsn(LLOAD, colStart);
                mv.visitMethodInsn(INVOKESTATIC, SELF, "rowAddress", "(L" + MEMORY_PLAN + ";[IJJJ)J", false);
                mv.visitVarInsn(LSTORE, address[p]);
                if (broadcast[p] != 0) {
                    mv.visitVarInsn(ALOAD, segment[p]);
                    mv.visitVarInsn(LLOAD, address[p]);
                    mv.visitMethodInsn(INVOKESTATIC, SELF, "broadcastLoad", "(" + SEGMENT_D + "J)" + VECTOR_D, false);
                    mv.visitVarInsn(ASTORE, broadcast[p]);
                }
            }
        }

        /** Pass p's chain for one vector step at column c; {@code masked}: under the tail mask. */
        private void chain(int p, boolean masked) {
            mv.visitVarInsn(ILOAD, c);
            mv.visitInsn(I2L);
            mv.visitInsn(ICONST_2);
            mv.visitInsn(LSHL);
            mv.visitVarInsn(LSTORE, offset);
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                if (!needed[p][k]) {
                    continue;
                }
                if (reload[p][k]) {
                    scratchAccess(k, masked, false);
                    continue;
                }
                switch (s.op().layout()) {
                    case MEMORY -> memory(k, s, masked);
                    case ROW -> {
                        if (reduction(s)) {
                            accumulate(k, s, masked);
                        }
                    }
                    default -> operation(k, s);
                }
                if (spill[p][k]) {
                    scratchAccess(k, masked, true);
                }
            }
        }

        /** Step k's vector at column c of its row scratch: stored ({@code store}) or loaded. */
        private void scratchAccess(int k, boolean masked, boolean store) {
            if (store) {
                mv.visitVarInsn(ALOAD, value[k]);
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
                mv.visitVarInsn(ASTORE, value[k]);
            }
        }

        /** An elementwise step, over a full buffer's vector or a row value's. */
        private void operation(int k, Step s) {
            switch (s.op().layout()) {
                case UNARY -> {
                    if (s.op() != Opcode.COPY) {
                        mv.visitVarInsn(ALOAD, value[s.a()]);
                        call(s.op(), UNARY_D);
                        mv.visitVarInsn(ASTORE, value[k]);
                    }
                }
                case BINARY -> {
                    mv.visitVarInsn(ALOAD, value[s.a()]);
                    mv.visitVarInsn(ALOAD, value[s.b()]);
                    call(s.op(), BINARY_D);
                    mv.visitVarInsn(ASTORE, value[k]);
                }
                case BINARY_SCALAR -> binaryScalar(k, s, scalar[k]);
                // Each row is the scalar form with the row's value (VectorUnit#rowBinary).
                case ROW_BINARY -> binaryScalar(k, s, value[s.b()]);
                default -> {
                    // CAST F32 to F32, FILL and BROADCAST_ROW: their values are locals already.
                }
            }
        }

        /** accumulator = step(accumulator, a), or its masked tail form. */
        private void accumulate(int k, Step s, boolean masked) {
            mv.visitVarInsn(ALOAD, accumulator[k]);
            mv.visitVarInsn(ALOAD, value[s.a()]);
            String name = REDUCTIONS.get(s.op()).name();
            if (masked) {
                mv.visitVarInsn(ALOAD, mask);
                mv.visitMethodInsn(INVOKESTATIC, UNIT, name + "Tail", "(" + VECTOR_D + VECTOR_D + MASK_D + ")" + VECTOR_D, false);
            } else {
                mv.visitMethodInsn(INVOKESTATIC, UNIT, name + "Step", BINARY_D, false);
            }
            mv.visitVarInsn(ASTORE, accumulator[k]);
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
            int p = s.plan();
            if (s.op() == Opcode.LOAD) {
                if (s.broadcast()) {
                    return;
                }
                mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
                addressOperands(p);
                if (masked) {
                    mv.visitVarInsn(ALOAD, mask);
                }
                mv.visitMethodInsn(INVOKESTATIC, VECTOR, "fromMemorySegment",
                        "(" + SPECIES_D + SEGMENT_D + "J" + ORDER_D + (masked ? MASK_D : "") + ")" + VECTOR_D, false);
                mv.visitVarInsn(ASTORE, value[k]);
            } else {
                mv.visitVarInsn(ALOAD, value[s.a()]);
                addressOperands(p);
                if (masked) {
                    mv.visitVarInsn(ALOAD, mask);
                }
                mv.visitMethodInsn(INVOKEVIRTUAL, VECTOR, "intoMemorySegment", "(" + SEGMENT_D + "J" + ORDER_D + (masked ? MASK_D : "") + ")V", false);
            }
        }

        /** segment, address + c * 4, little-endian. */
        private void addressOperands(int p) {
            mv.visitVarInsn(ALOAD, segment[p]);
            mv.visitVarInsn(LLOAD, address[p]);
            mv.visitVarInsn(LLOAD, offset);
            mv.visitInsn(LADD);
            mv.visitFieldInsn(GETSTATIC, Type.getInternalName(ByteOrder.class), "LITTLE_ENDIAN", ORDER_D);
        }
    }
}
