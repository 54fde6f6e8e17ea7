package dev.dvm.bytecode;

/**
 * Element types as the bytecode names them. Global tensors hold any of these; the unified buffer
 * holds only the three compute types: {@code F16} and {@code BF16} are widened to {@code F32} by
 * the load and narrowed by the store, {@code BOOL} is held as an {@code I32} of 0 or 1.
 */
public enum ElementType {
    BOOL(0, 1),
    F16(1, 2),
    BF16(2, 2),
    F32(3, 4),
    I32(4, 4),
    I64(5, 8);

    private static final ElementType[] BY_CODE = values();

    private final int code;
    private final int byteSize;

    ElementType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The code stored in {@link Operand#TYPE} operands and in slot-table entries. */
    public int code() {
        return code;
    }

    /** Bytes one element takes in a global tensor. */
    public int byteSize() {
        return byteSize;
    }

    /** The type this element is held as in the unified buffer: F32, I32 or I64. */
    public ElementType computeType() {
        return switch (this) {
            case BOOL, I32 -> I32;
            case F16, BF16, F32 -> F32;
            case I64 -> I64;
        };
    }

    /** Bytes one element takes in the unified buffer (4 or 8). */
    public int ubByteSize() {
        return computeType() == I64 ? 8 : 4;
    }

    /** Whether this is one of F16, BF16, F32. */
    public boolean isFloat() {
        return computeType() == F32;
    }

    /** The type with the given code, or {@code null} when no type has it. */
    public static ElementType ofCode(long code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null;
    }
}
