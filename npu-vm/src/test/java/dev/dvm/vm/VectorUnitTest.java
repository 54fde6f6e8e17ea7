package dev.dvm.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.Opcode;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Runs every vector instruction for every type it allows on {@link PanamaVectorUnit} and
 * {@link ScalarVectorUnit} side by side, on random data with NaN, infinities, -0, subnormals and
 * huge values, over lengths that are not multiples of the vector width, and requires the same
 * bits in the whole UB, transcendentals included (SIN and COS over the whole float range, so both
 * the reduced and the large-argument paths run).
 */
class VectorUnitTest {
    private static final int[] LENGTHS = {1, 5, 8, 17, 64, 203};
    private static final int WORDS = 4096;
    /** Region word indices: a, b, cond, dst; each holds up to 1024 words. */
    private static final int A = 0, B = 1024, C = 2048, D = 3072;
    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.5f, -0.5f,
        2.5f, -2.5f, 3.5f, 1e30f, -1e30f, 88.7f, -103.5f, 0x1.0p23f, -0x1.0p23f + 0.5f, 0.625f, 0.921875f, 4f, 1e-40f,
        0x1.0p17f, -0x1.fffffep16f, 1.5707964f, 3.1415927f, 1e5f};
    private static final long[] SPECIAL_LONG = {0, 1, -1, 2, -2, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};

    private final Random random = new Random(20240611);

    @Test
    void unaryInstructionsAgree() {
        for (Opcode op : Opcode.values()) {
            if (op.layout() == Layout.UNARY) {
                for (ElementType type : op.types()) {
                    compare(op + " " + type, op, type, u -> {}, (u, n) -> u.unary(op, type, D, A, n));
                }
            }
        }
    }

    @Test
    void binaryInstructionsAgree() {
        for (Opcode op : Opcode.values()) {
            if (op.layout() == Layout.BINARY) {
                for (ElementType type : op.types()) {
                    compare(op + " " + type, op, type, u -> {}, (u, n) -> u.binary(op, type, D, A, B, n));
                }
            }
        }
    }

    @Test
    void binaryScalarInstructionsAgree() {
        for (Opcode scalarForm : Opcode.values()) {
            if (scalarForm.layout() != Layout.BINARY_SCALAR) {
                continue;
            }
            Opcode op = Opcode.ofCode(scalarForm.code() - (Opcode.ADD_S.code() - Opcode.ADD.code()));
            for (ElementType type : scalarForm.types()) {
                for (boolean left : new boolean[] {false, true}) {
                    for (int k = 0; k < 6; k++) {
                        long s = scalar(type);
                        compare(scalarForm + " " + type + (left ? " left " : " ") + s, op, type, u -> {},
                                (u, n) -> u.binaryScalar(op, type, D, A, n, s, left));
                    }
                }
            }
        }
    }

    @Test
    void selectFillCopyAgree() {
        for (ElementType type : Opcode.SELECT.types()) {
            compare("SELECT " + type, Opcode.SELECT, type, u -> {}, (u, n) -> u.select(type, D, C, A, B, n));
            long s = scalar(type);
            compare("FILL " + type, Opcode.FILL, type, u -> {}, (u, n) -> u.fill(type, D, n, s));
        }
    }

    @Test
    void castsBetweenAllTypesAgree() {
        for (ElementType from : ElementType.values()) {
            for (ElementType to : ElementType.values()) {
                compare("CAST " + from + " -> " + to, Opcode.CAST, from.computeType(), u -> {}, (u, n) -> u.cast(from, to, D, A, n));
                // In place, where the program reuses the source buffer.
                compare("CAST in place " + from + " -> " + to, Opcode.CAST, from.computeType(), u -> {}, (u, n) -> u.cast(from, to, A, A, n));
            }
        }
    }

    @Test
    void rowInstructionsAgree() {
        for (ElementType type : Opcode.REDUCE_SUM.types()) {
            // 96 columns reach the unrolled 64-column loops of the Panama reductions.
            for (int pitch : new int[] {8, 16, 40, 96}) {
                int rows = 200 / pitch / (type == ElementType.I64 ? 2 : 1);
                for (int cols : new int[] {1, pitch / 2 + 1, pitch}) {
                    for (Opcode op : EnumSet.of(Opcode.REDUCE_SUM, Opcode.REDUCE_MAX, Opcode.REDUCE_MIN)) {
                        compare(op + " " + type + " pitch " + pitch + " cols " + cols, op, type, u -> {},
                                (u, n) -> u.reduce(op, type, D, A, rows, pitch, cols));
                    }
                }
                compare("BROADCAST_ROW " + type, Opcode.BROADCAST_ROW, type, u -> {}, (u, n) -> u.broadcastRow(type, D, A, rows, pitch));
                compare("IOTA " + type, Opcode.IOTA, type, u -> {}, (u, n) -> u.iota(type, D, Math.min(n, rows * pitch), pitch, 7, 12));
            }
        }
    }

    /**
     * ADD_R ... MIN_R give, bit for bit, what BROADCAST_ROW into a full buffer followed by the
     * tensor form gives (row on the left for ROW_LEFT, except for commutative operations, which
     * compute a ∘ row), on both units, with NaN payloads in both operands and pitches that leave
     * vector tails.
     */
    @Test
    void rowFormsEqualBroadcastThenTensorForm() {
        for (Opcode rowForm : Opcode.values()) {
            if (rowForm.layout() != Layout.ROW_BINARY) {
                continue;
            }
            Opcode op = PreDecoder.tensorForm(rowForm);
            assertEquals(rowForm.name(), op.name() + "_R");
            for (ElementType type : rowForm.types()) {
                int units = type == ElementType.I64 ? 2 : 1;
                for (int pitch : new int[] {8, 13, 40, 96}) {
                    int rows = 1000 / (pitch * units);
                    for (boolean left : new boolean[] {false, true}) {
                        boolean rowFirst = left && !ScalarVectorUnit.commutative(op);
                        int[] ub = new int[WORDS];
                        fill(ub, A, 1024, type);
                        fill(ub, B, 1024, type);
                        if (type == ElementType.F32) {
                            ub[B] = 0x7FC0_0001;
                            ub[B + 1] = 0xFFC0_0002;
                            ub[A + 1] = 0x7FC0_0003;
                            ub[A + pitch + 1] = 0xFFC0_0004;
                        }
                        String what = rowForm + " " + type + " pitch " + pitch + (left ? " row_left" : "");
                        int[] panama = null;
                        for (boolean scalar : new boolean[] {false, true}) {
                            int[] expected = ub.clone();
                            VectorUnit reference = VectorUnit.create(expected, scalar);
                            reference.broadcastRow(type, C, B, rows, pitch);
                            reference.binary(op, type, D, rowFirst ? C : A, rowFirst ? A : C, rows * pitch);
                            int[] actual = ub.clone();
                            VectorUnit.create(actual, scalar).rowBinary(op, type, D, A, B, rows, pitch, left);
                            if (type == ElementType.F32) {
                                // Which NaN a product of two NaNs keeps depends on operand order, which C2 may
                                // swap for a commutative op (decision 0003): compare NaNs as NaNs.
                                canonicalNaNs(expected);
                                canonicalNaNs(actual);
                            }
                            assertArrayEquals(Arrays.copyOfRange(expected, D, WORDS), Arrays.copyOfRange(actual, D, WORDS),
                                    what + (scalar ? " scalar unit" : " Panama unit"));
                            if (panama == null) {
                                panama = actual;
                            } else {
                                assertArrayEquals(panama, actual, what + ": Panama vs scalar");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void reduceSumFollowsTheCanonicalOrder() {
        int[] ub = new int[WORDS];
        int cols = 53;
        float[] x = new float[cols];
        for (int c = 0; c < cols; c++) {
            x[c] = (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(12) - 6));
            ub[A + c] = Float.floatToRawIntBits(x[c]);
        }
        float[] p = new float[16];
        Arrays.fill(p, -0f);
        for (int c = 0; c < cols; c++) {
            p[c % 16] += x[c];
        }
        for (int i = 0; i < 8; i++) {
            p[i] += p[i + 8];
        }
        for (int i = 0; i < 4; i++) {
            p[i] += p[i + 4];
        }
        p[0] += p[2];
        p[1] += p[3];
        p[0] += p[1];
        for (boolean scalar : new boolean[] {false, true}) {
            VectorUnit.create(ub, scalar).reduce(Opcode.REDUCE_SUM, ElementType.F32, D, A, 1, 56, cols);
            assertEquals(Float.floatToRawIntBits(p[0]), ub[D], "canonical sum, scalar unit " + scalar);
        }
    }

    @Test
    void maxAndMinPropagateNaN() {
        int[] ub = new int[WORDS];
        ub[A] = Float.floatToRawIntBits(1f);
        ub[A + 20] = Float.floatToRawIntBits(Float.NaN);
        for (boolean scalar : new boolean[] {false, true}) {
            VectorUnit unit = VectorUnit.create(ub, scalar);
            unit.reduce(Opcode.REDUCE_MAX, ElementType.F32, D, A, 1, 32, 32);
            unit.reduce(Opcode.REDUCE_MIN, ElementType.F32, D + 1, A, 1, 32, 32);
            unit.binary(Opcode.MAX, ElementType.F32, D + 8, A + 20, A, 1);
            assertTrue(Float.isNaN(Float.intBitsToFloat(ub[D])) && Float.isNaN(Float.intBitsToFloat(ub[D + 1]))
                    && Float.isNaN(Float.intBitsToFloat(ub[D + 8])), "NaN propagates, scalar unit " + scalar);
        }
    }

    /**
     * MAX and MIN on raw bits (PanamaVectorUnit#extremumStep) give the scalar unit's bits on the
     * values where bits and floats could part: -0 against +0, infinities, the extreme finite and
     * subnormal values, and NaNs of either sign bit with any payload, in rows of every length up
     * to five vectors, half of them without a NaN (a NaN anywhere decides the row); repeated
     * until C2 has compiled the loops.
     */
    @Test
    void maxAndMinOnRawBitsAgreeOnSignedZerosInfinitiesAndNaNs() {
        float[] values = {-0f, 0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -Float.MAX_VALUE, Float.MAX_VALUE,
            -Float.MIN_VALUE, Float.MIN_VALUE, -1f, 1f};
        int[] vector = new int[WORDS], scalar = new int[WORDS];
        PanamaVectorUnit panama = new PanamaVectorUnit(vector);
        ScalarVectorUnit reference = new ScalarVectorUnit(scalar);
        for (int rep = 0; rep < 20 * COMPILE_REPS; rep++) {
            int cols = random.nextInt(5 * PanamaVectorUnit.LANES + 1);
            // Rows drawn from two or three values, so that ties of -0 and +0 decide some rows.
            float[] pool = {values[random.nextInt(values.length)], values[random.nextInt(values.length)], values[random.nextInt(values.length)]};
            for (int c = 0; c < cols; c++) {
                vector[A + c] = Float.floatToRawIntBits(pool[random.nextInt(pool.length)]);
            }
            if (cols > 0 && random.nextBoolean()) {
                int nan = 0x7F80_0001 + random.nextInt(0x7F_FFFF) | (random.nextBoolean() ? 0x8000_0000 : 0);
                vector[A + random.nextInt(cols)] = nan;
            }
            System.arraycopy(vector, A, scalar, A, cols);
            for (Opcode op : EnumSet.of(Opcode.REDUCE_MAX, Opcode.REDUCE_MIN)) {
                panama.reduce(op, ElementType.F32, D, A, 1, cols, cols);
                reference.reduce(op, ElementType.F32, D, A, 1, cols, cols);
                if (vector[D] != scalar[D]) {
                    fail(op + " of " + Arrays.toString(Arrays.stream(Arrays.copyOfRange(vector, A, A + cols)).mapToObj(Integer::toHexString).toArray())
                            + ": 0x" + Integer.toHexString(vector[D]) + " (Panama) vs 0x" + Integer.toHexString(scalar[D]) + " (scalar), repetition " + rep);
                }
            }
        }
    }

    /**
     * The same comparison after C2 has compiled the Panama loops with the Vector API intrinsics
     * (the checks above may run in the interpreter, on the API's Java fallback): each
     * instruction runs often enough to be compiled before its result is compared.
     */
    @Test
    void compiledLoopsAgree() {
        for (Opcode op : Opcode.values()) {
            if (op.layout() != Layout.UNARY && op.layout() != Layout.BINARY) {
                continue;
            }
            for (ElementType type : op.types()) {
                Run run = op.layout() == Layout.UNARY ? (u, n) -> u.unary(op, type, D, A, n) : (u, n) -> u.binary(op, type, D, A, B, n);
                compareCompiled(op + " " + type, op, type, run);
            }
        }
        for (ElementType from : ElementType.values()) {
            for (ElementType to : ElementType.values()) {
                compareCompiled("CAST " + from + " -> " + to, Opcode.CAST, from.computeType(), (u, n) -> u.cast(from, to, D, A, n));
            }
        }
        for (ElementType type : Opcode.REDUCE_SUM.types()) {
            for (Opcode op : EnumSet.of(Opcode.REDUCE_SUM, Opcode.REDUCE_MAX, Opcode.REDUCE_MIN)) {
                compareCompiled(op + " " + type, op, type, (u, n) -> u.reduce(op, type, D, A, 2, 200, 197));
            }
            compareCompiled("ADD_S " + type, Opcode.ADD, type, (u, n) -> u.binaryScalar(Opcode.SUB, type, D, A, n, 3, true));
            compareCompiled("SELECT " + type, Opcode.SELECT, type, (u, n) -> u.select(type, D, C, A, B, n));
        }
    }

    private void compareCompiled(String what, Opcode op, ElementType type, Run run) {
        int[] ub = new int[WORDS];
        fill(ub, A, 1024, type);
        fill(ub, B, 1024, type);
        for (int i = 0; i < 1024; i++) {
            ub[C + i] = random.nextInt(2);
        }
        int[] vector = ub.clone();
        PanamaVectorUnit unit = new PanamaVectorUnit(vector);
        for (int rep = 0; rep < COMPILE_REPS; rep++) {
            run.run(unit, 203);
        }
        int[] scalar = ub.clone();
        run.run(new ScalarVectorUnit(scalar), 203);
        for (int i = 0; i < WORDS; i++) {
            if (vector[i] != scalar[i]) {
                fail(what + " compiled: word " + i + " is 0x" + Integer.toHexString(vector[i]) + " (Panama) vs 0x"
                        + Integer.toHexString(scalar[i]) + " (scalar), input 0x" + Integer.toHexString(ub[A + i - D]));
            }
        }
    }

    /**
     * EXP's two paths agree with the scalar unit, compiled: vectors whose lanes all lie within
     * ±87 (2^n added into the exponent bits), ±87 itself, and vectors with one lane just outside,
     * infinite or NaN (the clamped path, two power-of-two factors).
     */
    @Test
    void expAgreesOnBothPathsCompiled() {
        int[] ub = new int[WORDS];
        for (int i = 0; i < 1024; i++) {
            ub[A + i] = Float.floatToRawIntBits((float) ((random.nextDouble() * 2 - 1) * MathKernels.EXP_NORMAL));
        }
        ub[A] = Float.floatToRawIntBits(MathKernels.EXP_NORMAL);
        ub[A + 1] = Float.floatToRawIntBits(-MathKernels.EXP_NORMAL);
        ub[A + 300] = Float.floatToRawIntBits(Math.nextUp(MathKernels.EXP_NORMAL));
        ub[A + 400] = Float.floatToRawIntBits(-Math.nextUp(MathKernels.EXP_NORMAL));
        ub[A + 500] = Float.floatToRawIntBits(Float.POSITIVE_INFINITY);
        ub[A + 600] = Float.floatToRawIntBits(Float.NaN);
        ub[A + 700] = Float.floatToRawIntBits(-100f);
        int[] vector = ub.clone();
        PanamaVectorUnit unit = new PanamaVectorUnit(vector);
        for (int rep = 0; rep < COMPILE_REPS; rep++) {
            unit.unary(Opcode.EXP, ElementType.F32, D, A, 1024);
        }
        int[] scalar = ub.clone();
        new ScalarVectorUnit(scalar).unary(Opcode.EXP, ElementType.F32, D, A, 1024);
        assertArrayEquals(scalar, vector);
    }

    private static final int COMPILE_REPS = 2000;

    private interface Run {
        void run(VectorUnit unit, int n);
    }

    /** Fills a UB at random, runs {@code run} on both units for every length and compares the UBs. */
    private void compare(String what, Opcode op, ElementType type, Consumer<int[]> setup, Run run) {
        for (int n : LENGTHS) {
            int[] ub = new int[WORDS];
            fill(ub, A, 1024, type);
            fill(ub, B, 1024, type);
            for (int i = 0; i < 1024; i++) {
                ub[C + i] = random.nextInt(3) == 0 ? 0 : random.nextInt();
                ub[D + i] = random.nextInt();
            }
            if (op == Opcode.POW && type != ElementType.F32) {
                // Integer exponents small enough to mean something, negative ones included.
                for (int i = 0; i < 512; i++) {
                    if (type == ElementType.I64) {
                        ub[B + 2 * i] = random.nextInt(70) - 5;
                        ub[B + 2 * i + 1] = ub[B + 2 * i] < 0 ? -1 : 0;
                    } else {
                        ub[B + i] = random.nextInt(40) - 5;
                    }
                }
            }
            setup.accept(ub);
            int[] vector = ub.clone();
            int[] scalar = ub.clone();
            run.run(new PanamaVectorUnit(vector), n);
            run.run(new ScalarVectorUnit(scalar), n);
            if (!Arrays.equals(vector, scalar)) {
                int i = Arrays.mismatch(vector, scalar);
                fail(what + " n=" + n + ": word " + i + " is 0x" + Integer.toHexString(vector[i]) + " (Panama) vs 0x"
                        + Integer.toHexString(scalar[i]) + " (scalar)");
            }
        }
    }

    private void fill(int[] ub, int from, int words, ElementType type) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < words; i++) {
                    ub[from + i] = Float.floatToRawIntBits(randomFloat());
                }
            }
            case I32 -> {
                for (int i = 0; i < words; i++) {
                    ub[from + i] = (int) randomLong();
                }
            }
            default -> {
                for (int i = 0; i < words; i += 2) {
                    long v = randomLong();
                    ub[from + i] = (int) v;
                    ub[from + i + 1] = (int) (v >>> 32);
                }
            }
        }
    }

    private float randomFloat() {
        int kind = random.nextInt(10);
        return switch (kind) {
            case 0, 1 -> SPECIAL[random.nextInt(SPECIAL.length)];
            case 2 -> Float.intBitsToFloat(random.nextInt());
            case 3 -> random.nextInt(21) - 10;
            default -> (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(9) - 4));
        };
    }

    private long randomLong() {
        return switch (random.nextInt(4)) {
            case 0 -> SPECIAL_LONG[random.nextInt(SPECIAL_LONG.length)];
            case 1 -> random.nextInt(21) - 10;
            case 2 -> random.nextInt();
            default -> random.nextLong();
        };
    }

    private long scalar(ElementType type) {
        return switch (type) {
            case F32 -> Float.floatToRawIntBits(randomFloat()) & 0xFFFF_FFFFL;
            case I32 -> (int) randomLong() & 0xFFFF_FFFFL;
            default -> randomLong();
        };
    }

    private static void canonicalNaNs(int[] words) {
        for (int i = 0; i < words.length; i++) {
            if (Float.isNaN(Float.intBitsToFloat(words[i]))) {
                words[i] = 0x7FC0_0000;
            }
        }
    }
}
