package dev.dvm.bytecode;

import static dev.dvm.bytecode.ElementType.F32;
import static dev.dvm.bytecode.ElementType.I32;
import static dev.dvm.bytecode.ElementType.I64;

import java.util.EnumSet;
import java.util.Set;

/**
 * The instruction table: the single source of truth for every virtual instruction. Each row gives
 * the opcode byte, the pipe, the operand layout, the compute types its {@code type} operand may
 * name, what it produces, and its meaning. The writer, reader, verifier, disassembler and the
 * virtual machine's dispatch all derive from this table.
 *
 * <p>A tile is a block of a stage's iteration domain: {@code rows} consecutive values of the
 * flattened outer dims by {@code cols} consecutive values of the flattened inner dims, held in the
 * unified buffer (UB) row-major with a row pitch aligned to 32 bytes. "Full" buffers hold
 * {@code rows × pitch} elements; "row" buffers hold one value per row. Vector instructions work
 * on {@code n} elements from their UB addresses and may compute garbage in padding; only loads,
 * stores and reductions look at the tile's actual extent, from the tile register.
 */
public enum Opcode {
    // ---- control ----
    STAGE(0x01, Pipe.CONTROL, Layout.STAGE, Result.NONE, Set.of(),
            "Begins a stage: a tile loop over a domain of `rank` dims, the last `inner` of them flattened into columns. "
                    + "Every core runs the body for its contiguous range of the `tiles` tiles; stages run one after another."),
    END(0x02, Pipe.CONTROL, Layout.NONE, Result.NONE, Set.of(), "Ends the body of the current stage."),

    // ---- memory ----
    LOAD(0x08, Pipe.MTE2, Layout.MEMORY, Result.NONE, Set.of(),
            "Copies the tile's window of the tensor bound to `slot` into UB, converting `type` to its compute type. "
                    + "Element (outer index, inner index) is read at offset + Σ index_d × stride_d (stride 0 broadcasts). "
                    + "With flag ROWS the buffer holds one value per tile row and the strides are the outer dims' then one for the column-block index."),
    STORE(0x09, Pipe.MTE3, Layout.MEMORY, Result.NONE, Set.of(),
            "Copies the tile's window from UB to the tensor bound to `slot`, converting from the compute type of `type` "
                    + "(F16 and BF16 round to nearest even). Addressing and flag ROWS as for LOAD."),

    // ---- cube ----
    MATMUL(0x0C, Pipe.CUBE, Layout.MATMUL, Result.NONE, Set.of(),
            "Computes the tile's window of a matrix product into UB as F32: element (outer index, inner index) is "
                    + "Σ_k a[aoffset + Σ index_d × astride_d + k × ak] × b[boffset + Σ index_d × bstride_d + k × bk] for k < `k`, "
                    + "a and b (F32, F16 or BF16, as `atype` and `btype` name) widened exactly to F32. The order is fixed: k is cut "
                    + "into chunks of Isa.CUBE_K_CHUNK; each chunk's products are summed by fused multiply-add in k order from +0.0, "
                    + "and the chunk sums are added in chunk order to +0.0. Flag GROUP_M: the `g` I32/I64 sizes in slot `groups` "
                    + "(from `goffset`) split the stage's rows into consecutive groups and rows of group i add i × gstride to b's address. "
                    + "Flag GROUP_K: the sizes split k into consecutive ranges, they must sum to `k`, and row r of the stage belongs to "
                    + "group r / gspan, whose range alone it sums (both operands' addresses start at the range's first k). Sizes that are "
                    + "negative or do not sum up fail the launch. Flag SPLIT_K: as GROUP_K with group i being k chunk i, no group list. "
                    + "Flag SUM_K: b is not read, each term is a's element alone (a product with ones). Its events are those of MTE2: the product reaches UB "
                    + "on the inbound path, as the cube's L0C hand-over to the vector unit does."),

    // ---- unary ----
    SQRT(0x10, Layout.UNARY, Result.SAME, floats(), "dst = sqrt(src)"),
    RSQRT(0x11, Layout.UNARY, Result.SAME, floats(), "dst = 1 / sqrt(src)"),
    ABS(0x12, Layout.UNARY, Result.SAME, numbers(), "dst = |src|"),
    NEG(0x13, Layout.UNARY, Result.SAME, numbers(), "dst = -src"),
    LOG(0x14, Layout.UNARY, Result.SAME, floats(), "dst = ln(src)"),
    EXP(0x15, Layout.UNARY, Result.SAME, floats(), "dst = e^src"),
    RECIPROCAL(0x16, Layout.UNARY, Result.SAME, floats(), "dst = 1 / src"),
    ISFINITE(0x17, Layout.UNARY, Result.BOOL, floats(), "dst = src is neither infinite nor NaN"),
    LOGICAL_NOT(0x18, Layout.UNARY, Result.BOOL, numbers(), "dst = src == 0"),
    ROUND(0x19, Layout.UNARY, Result.SAME, floats(), "dst = src rounded to nearest, ties to even"),
    FLOOR(0x1A, Layout.UNARY, Result.SAME, floats(), "dst = floor(src)"),
    CEIL(0x1B, Layout.UNARY, Result.SAME, floats(), "dst = ceil(src)"),
    TRUNC(0x1C, Layout.UNARY, Result.SAME, floats(), "dst = src rounded toward zero"),
    TANH(0x1D, Layout.UNARY, Result.SAME, floats(), "dst = tanh(src)"),
    SIGMOID(0x1E, Layout.UNARY, Result.SAME, floats(), "dst = 1 / (1 + e^-src)"),
    ERF(0x1F, Layout.UNARY, Result.SAME, floats(), "dst = erf(src)"),
    SIN(0x20, Layout.UNARY, Result.SAME, floats(), "dst = sin(src)"),
    COS(0x21, Layout.UNARY, Result.SAME, floats(), "dst = cos(src)"),

    // ---- binary, tensor ∘ tensor ----
    EQ(0x30, Layout.BINARY, Result.BOOL, numbers(), "dst = a == b"),
    NE(0x31, Layout.BINARY, Result.BOOL, numbers(), "dst = a != b"),
    GT(0x32, Layout.BINARY, Result.BOOL, numbers(), "dst = a > b"),
    GE(0x33, Layout.BINARY, Result.BOOL, numbers(), "dst = a >= b"),
    LT(0x34, Layout.BINARY, Result.BOOL, numbers(), "dst = a < b"),
    LE(0x35, Layout.BINARY, Result.BOOL, numbers(), "dst = a <= b"),
    ADD(0x36, Layout.BINARY, Result.SAME, numbers(), "dst = a + b (integers wrap)"),
    SUB(0x37, Layout.BINARY, Result.SAME, numbers(), "dst = a - b (integers wrap)"),
    MUL(0x38, Layout.BINARY, Result.SAME, numbers(), "dst = a × b (integers wrap)"),
    DIV(0x39, Layout.BINARY, Result.SAME, floats(), "dst = a / b"),
    POW(0x3A, Layout.BINARY, Result.SAME, numbers(),
            "dst = a^b; for integers by repeated squaring, a negative exponent giving 1/a^|b| truncated (0 unless |a| = 1)"),
    MAX(0x3B, Layout.BINARY, Result.SAME, numbers(), "dst = max(a, b); the canonical NaN (0x7FC00000) if either is NaN"),
    MIN(0x3C, Layout.BINARY, Result.SAME, numbers(), "dst = min(a, b); the canonical NaN (0x7FC00000) if either is NaN"),
    AND(0x3D, Layout.BINARY, Result.BOOL, numbers(), "dst = a != 0 and b != 0"),
    OR(0x3E, Layout.BINARY, Result.BOOL, numbers(), "dst = a != 0 or b != 0"),

    // ---- binary, tensor ∘ scalar (flag SCALAR_LEFT: scalar ∘ tensor) ----
    EQ_S(0x40, Layout.BINARY_SCALAR, Result.BOOL, numbers(), "dst = a == s"),
    NE_S(0x41, Layout.BINARY_SCALAR, Result.BOOL, numbers(), "dst = a != s"),
    GT_S(0x42, Layout.BINARY_SCALAR, Result.BOOL, numbers(), "dst = a > s"),
    GE_S(0x43, Layout.BINARY_SCALAR, Result.BOOL, numbers(), "dst = a >= s"),
    LT_S(0x44, Layout.BINARY_SCALAR, Result.BOOL, numbers(), "dst = a < s"),
    LE_S(0x45, Layout.BINARY_SCALAR, Result.BOOL, numbers(), "dst = a <= s"),
    ADD_S(0x46, Layout.BINARY_SCALAR, Result.SAME, numbers(), "dst = a + s"),
    SUB_S(0x47, Layout.BINARY_SCALAR, Result.SAME, numbers(), "dst = a - s"),
    MUL_S(0x48, Layout.BINARY_SCALAR, Result.SAME, numbers(), "dst = a × s"),
    DIV_S(0x49, Layout.BINARY_SCALAR, Result.SAME, floats(), "dst = a / s"),
    POW_S(0x4A, Layout.BINARY_SCALAR, Result.SAME, numbers(), "dst = a^s"),
    MAX_S(0x4B, Layout.BINARY_SCALAR, Result.SAME, numbers(), "dst = max(a, s); the canonical NaN if either is NaN"),
    MIN_S(0x4C, Layout.BINARY_SCALAR, Result.SAME, numbers(), "dst = min(a, s); the canonical NaN if either is NaN"),
    AND_S(0x4D, Layout.BINARY_SCALAR, Result.BOOL, numbers(), "dst = a != 0 and s != 0"),
    OR_S(0x4E, Layout.BINARY_SCALAR, Result.BOOL, numbers(), "dst = a != 0 or s != 0"),

    // ---- other vector ----
    SELECT(0x50, Layout.SELECT, Result.SAME, numbers(), "dst = cond != 0 ? a : b (cond is I32)"),
    CAST(0x51, Layout.CAST, Result.NONE, Set.of(),
            "dst = src converted from `from` to `to`, both global element types held as compute types: "
                    + "to F16/BF16 rounds to that precision (nearest even; an integer source goes to F32 first, as Java's (float) does); float to integer truncates toward zero, saturates, NaN gives 0; "
                    + "to BOOL gives src != 0; I64 to I32 wraps"),
    FILL(0x52, Layout.FILL, Result.SAME, numbers(), "dst[0..n) = s"),
    COPY(0x53, Layout.UNARY, Result.SAME, numbers(), "dst = src"),
    IOTA(0x54, Layout.IOTA, Result.SAME, ints(), "dst[r × pitch + c] = (column start of the tile + c) mod `mod`"),
    BROADCAST_ROW(0x55, Layout.ROW, Result.SAME, numbers(), "dst[r × pitch + c] = src[r] for every row r and every c < pitch"),
    REDUCE_SUM(0x58, Layout.ROW, Result.SAME, numbers(),
            "dst[r] = Σ src[r × pitch + c] over the tile's actual columns, in the canonical order: 16 partial sums "
                    + "(element c into partial c mod 16), then combined as a tree (p[i] += p[i + 8], then 4, 2, 1)"),
    REDUCE_MAX(0x59, Layout.ROW, Result.SAME, numbers(), "dst[r] = max of the row's actual columns (NaN if any is NaN)"),
    REDUCE_MIN(0x5A, Layout.ROW, Result.SAME, numbers(), "dst[r] = min of the row's actual columns (NaN if any is NaN)"),

    // ---- binary, tensor ∘ row value (flag ROW_LEFT: row ∘ tensor; commutative operations ignore it):
    //      per row r the scalar form with s = row[r]; codes keep the tensor forms' offsets (0x64, POW_R, is unassigned) ----
    ADD_R(0x60, Layout.ROW_BINARY, Result.SAME, numbers(), "dst[r × pitch + c] = a[r × pitch + c] + row[r] for r < rows, c < pitch (integers wrap)"),
    SUB_R(0x61, Layout.ROW_BINARY, Result.SAME, numbers(), "dst[r × pitch + c] = a[r × pitch + c] - row[r]; ROW_LEFT: row[r] - a[r × pitch + c]"),
    MUL_R(0x62, Layout.ROW_BINARY, Result.SAME, numbers(), "dst[r × pitch + c] = a[r × pitch + c] × row[r] (integers wrap)"),
    DIV_R(0x63, Layout.ROW_BINARY, Result.SAME, floats(), "dst[r × pitch + c] = a[r × pitch + c] / row[r]; ROW_LEFT: row[r] / a[r × pitch + c]"),
    MAX_R(0x65, Layout.ROW_BINARY, Result.SAME, numbers(), "dst[r × pitch + c] = max(a[r × pitch + c], row[r]); the canonical NaN if either is NaN"),
    MIN_R(0x66, Layout.ROW_BINARY, Result.SAME, numbers(), "dst[r × pitch + c] = min(a[r × pitch + c], row[r]); the canonical NaN if either is NaN");

    /** What a vector instruction writes, given its {@code type} operand. */
    public enum Result {
        /** Not a computing instruction, or its own rule (CAST). */
        NONE,
        /** The same compute type as its operands. */
        SAME,
        /** I32 holding 0 or 1. */
        BOOL
    }

    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode op : values()) {
            if (BY_CODE[op.code] != null) {
                throw new ExceptionInInitializerError("opcode byte 0x" + Integer.toHexString(op.code) + " used twice");
            }
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final Pipe pipe;
    private final Layout layout;
    private final Result result;
    private final Set<ElementType> types;
    private final String semantics;

    Opcode(int code, Pipe pipe, Layout layout, Result result, Set<ElementType> types, String semantics) {
        this.code = code;
        this.pipe = pipe;
        this.layout = layout;
        this.result = result;
        this.types = types;
        this.semantics = semantics;
    }

    Opcode(int code, Layout layout, Result result, Set<ElementType> types, String semantics) {
        this(code, Pipe.VECTOR, layout, result, types, semantics);
    }

    private static Set<ElementType> floats() {
        return EnumSet.of(F32);
    }

    private static Set<ElementType> ints() {
        return EnumSet.of(I32, I64);
    }

    private static Set<ElementType> numbers() {
        return EnumSet.of(F32, I32, I64);
    }

    /** The opcode byte in the head word. */
    public int code() {
        return code;
    }

    public Pipe pipe() {
        return pipe;
    }

    public Layout layout() {
        return layout;
    }

    public Result result() {
        return result;
    }

    /** Compute types the {@code type} operand may name (empty: the layout's own rule applies). */
    public Set<ElementType> types() {
        return types;
    }

    /** The instruction's meaning, in words. */
    public String semantics() {
        return semantics;
    }

    /** Lower-case mnemonic used by the disassembler. */
    public String mnemonic() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The opcode with this byte, or {@code null}. */
    public static Opcode ofCode(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }
}
