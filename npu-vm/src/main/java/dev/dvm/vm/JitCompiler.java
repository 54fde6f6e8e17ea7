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
 * The JIT tier's code generator: turns a stage of F32 elementwise instructions into a hidden class
 * whose {@link CompiledStage#run} walks the tiles like {@link TileInterpreter} and, for each tile
 * row, runs the whole instruction chain per vector step with the values in registers: vectors
 * loaded straight from the global segments, each operation by the same per-vector function
 * {@link PanamaVectorUnit} uses (so results are bit-identical), vectors stored straight to the
 * output segments, the row's tail under a mask. Instance numbers (tile sizes, extents, strides,
 * offsets, scalars) are read from the {@link StagePlan} at run time, so one class serves every
 * stage of the same {@link Shape}.
 *
 * <p>Supported: LOAD and STORE of F32 full tiles over exactly one inner dim with inner stride 1,
 * or 0 for a LOAD (a value broadcast along the row); UNARY, BINARY and BINARY_SCALAR F32 operations
 * that have a per-vector function in {@link #FUNCTIONS}; COPY, CAST F32 to F32 and FILL F32.
 */
final class JitCompiler {
    private JitCompiler() {}

    /**
     * One instruction of a supported stage, its UB operands replaced by the steps that produce them
     * ({@code a}, {@code b}; -1 for none), so stages that differ only in UB addresses and instance
     * numbers have equal steps. {@code plan}: the LOAD/STORE's index into {@link StagePlan#memory};
     * {@code broadcast}: a LOAD of inner stride 0; {@code left}: a scalar-left BINARY_SCALAR.
     */
    record Step(Opcode op, int plan, boolean broadcast, int a, int b, boolean left) {}

    /** The structure of a supported stage: the cache key of its generated class. */
    record Shape(List<Step> steps) {}

    /** The per-vector function of each supported operation, in its tensor form; all take and return F32 vectors. */
    private static final Map<Opcode, String> FUNCTIONS = new EnumMap<>(Map.ofEntries(
            Map.entry(Opcode.ADD, "addF32"), Map.entry(Opcode.SUB, "subF32"), Map.entry(Opcode.MUL, "mulF32"),
            Map.entry(Opcode.DIV, "divF32"), Map.entry(Opcode.MAX, "maxF32"), Map.entry(Opcode.MIN, "minF32"),
            Map.entry(Opcode.SQRT, "sqrtF32"), Map.entry(Opcode.RSQRT, "rsqrtF32"), Map.entry(Opcode.RECIPROCAL, "reciprocalF32"),
            Map.entry(Opcode.ABS, "absF32"), Map.entry(Opcode.NEG, "negF32"), Map.entry(Opcode.ROUND, "roundF32"),
            Map.entry(Opcode.FLOOR, "floorF32"), Map.entry(Opcode.CEIL, "ceilF32"), Map.entry(Opcode.TRUNC, "truncF32"),
            Map.entry(Opcode.EXP, "expF32"), Map.entry(Opcode.TANH, "tanhF32"), Map.entry(Opcode.SIGMOID, "sigmoidF32")));

    /**
     * The shape of {@code st}, or null when the JIT does not support it. Checks every rule the
     * generated code relies on: a value read from the UB is exactly a buffer an earlier instruction
     * of the tile wrote whole (n = rows × pitch words), so the chain can follow values instead of
     * addresses.
     */
    static Shape shapeOf(StagePlan st) {
        if (st.innerExtents.length != 1) {
            return null;
        }
        int full = st.rows * st.pitch;
        // Live UB buffers: start word -> producing step; a write drops every buffer it overlaps.
        List<int[]> live = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        int[] code = st.code;
        for (int k = 0; k < st.length(); k++) {
            int r = k * W;
            Opcode op = OPCODES[code[r + OP]];
            ElementType type = ElementType.ofCode(code[r + TYPE]);
            if (type != ElementType.F32) {
                return null;
            }
            Step step;
            int dst;
            switch (op.layout()) {
                case MEMORY -> {
                    MemoryPlan m = st.memory[code[r + A]];
                    long inner = m.perRow() ? -1 : m.innerStrides()[0];
                    boolean broadcast = inner == 0;
                    if (inner != 1 && !(broadcast && m.load())) {
                        return null;
                    }
                    if (m.load()) {
                        step = new Step(op, code[r + A], broadcast, -1, -1, false);
                        dst = m.ubWord();
                    } else {
                        step = new Step(op, code[r + A], false, producer(live, m.ubWord(), full), -1, false);
                        dst = -1;
                    }
                }
                case UNARY -> {
                    if (op != Opcode.COPY && !FUNCTIONS.containsKey(op)) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, code[r + A], code[r + N]), -1, false);
                    dst = code[r + DST];
                }
                case BINARY -> {
                    if (!FUNCTIONS.containsKey(op)) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, code[r + A], code[r + N]), producer(live, code[r + B], code[r + N]), false);
                    dst = code[r + DST];
                }
                case BINARY_SCALAR -> {
                    if (!FUNCTIONS.containsKey(PreDecoder.tensorForm(op))) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, code[r + A], code[r + N]), -1, code[r + X] != 0);
                    dst = code[r + DST];
                }
                case CAST -> {
                    if (ElementType.ofCode(code[r + X]) != ElementType.F32) {
                        return null;
                    }
                    step = new Step(op, -1, false, producer(live, code[r + A], code[r + N]), -1, false);
                    dst = code[r + DST];
                }
                case FILL -> {
                    step = new Step(op, -1, false, -1, -1, false);
                    dst = code[r + DST];
                }
                default -> {
                    return null;
                }
            }
            if (step.a() == MISSING || op.layout() != Layout.MEMORY && code[r + N] != full || step.b() == MISSING) {
                return null;
            }
            if (dst >= 0) {
                live.removeIf(b -> b[0] < dst + full && dst < b[0] + full);
                live.add(new int[] {dst, k});
            }
            steps.add(step);
        }
        return new Shape(List.copyOf(steps));
    }

    /** Marks an operand that is not a whole buffer written earlier in the tile. */
    private static final int MISSING = -2;

    private static int producer(List<int[]> live, int word, int words) {
        for (int[] b : live) {
            if (b[0] == word) {
                return b[1];
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
     * {@link #local} hands out. The loop nest is tile, row, vector step; the chain is emitted twice
     * per row, unmasked for whole vectors and masked for the tail.
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
        private final int[] planLocal, segment, base, address, broadcast;
        private int t, rowStart, colStart, rows, cols, bound, r, c, offset, mask;

        RunEmitter(MethodVisitor mv, List<Step> steps) {
            this.mv = mv;
            this.steps = steps;
            this.value = new int[steps.size()];
            this.scalar = new int[steps.size()];
            int plans = 0;
            for (Step s : steps) {
                plans = Math.max(plans, s.plan() + 1);
            }
            planLocal = new int[plans];
            segment = new int[plans];
            base = new int[plans];
            address = new int[plans];
            broadcast = new int[plans];
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

        /** Per plan: the MemoryPlan, its segment and base; per scalar: its vector; value locals for every step. */
        private void prologue() {
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
            Label rowLoop = new Label(), tilesNext = new Label(), vectorLoop = new Label(), tail = new Label(), rowNext = new Label();
            mv.visitLabel(rowLoop);
            mv.visitVarInsn(ILOAD, r);
            mv.visitVarInsn(ILOAD, rows);
            mv.visitJumpInsn(IF_ICMPGE, tilesNext);
            rowAddresses();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, c);
            mv.visitLabel(vectorLoop);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, bound);
            mv.visitJumpInsn(IF_ICMPGE, tail);
            chain(false);
            mv.visitVarInsn(ILOAD, c);
            mv.visitFieldInsn(GETSTATIC, UNIT, "LANES", "I");
            mv.visitInsn(IADD);
            mv.visitVarInsn(ISTORE, c);
            mv.visitJumpInsn(GOTO, vectorLoop);
            mv.visitLabel(tail);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, cols);
            mv.visitJumpInsn(IF_ICMPGE, rowNext);
            mv.visitFieldInsn(GETSTATIC, UNIT, "F", SPECIES_D);
            mv.visitVarInsn(ILOAD, c);
            mv.visitVarInsn(ILOAD, cols);
            mv.visitMethodInsn(INVOKEINTERFACE, SPECIES, "indexInRange", "(II)" + MASK_D, true);
            mv.visitVarInsn(ASTORE, mask);
            chain(true);
            mv.visitLabel(rowNext);
            mv.visitIincInsn(r, 1);
            mv.visitJumpInsn(GOTO, rowLoop);
            mv.visitLabel(tilesNext);
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

        /** The whole instruction chain for one vector step at column c; {@code masked}: under the tail mask. */
        private void chain(boolean masked) {
            mv.visitVarInsn(ILOAD, c);
            mv.visitInsn(I2L);
            mv.visitInsn(ICONST_2);
            mv.visitInsn(LSHL);
            mv.visitVarInsn(LSTORE, offset);
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                switch (s.op().layout()) {
                    case MEMORY -> memory(k, s, masked);
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
                    case BINARY_SCALAR -> binaryScalar(k, s);
                    default -> {
                        // CAST F32 to F32 and FILL: their values are locals already.
                    }
                }
            }
        }

        /** {@code a op s}, or {@code s op a} for a scalar-left non-commutative op, as {@link PanamaVectorUnit#binaryScalar}. */
        private void binaryScalar(int k, Step s) {
            Opcode op = PreDecoder.tensorForm(s.op());
            boolean left = s.left() && !ScalarVectorUnit.commutative(op);
                        mv.visitVarInsn(ALOAD, left ? scalar[k] : value[s.a()]);
            mv.visitVarInsn(ALOAD, left ? value[s.a()] : scalar[k]);
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
