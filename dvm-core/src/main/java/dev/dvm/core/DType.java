package dev.dvm.core;

import dev.dvm.bytecode.ElementType;

/**
 * Element types of tensors. F16 and BF16 are stored as 16 bits and computed in F32.
 *
 * <p>Promotion (for binary ops, select and concat) follows the order
 * {@code BOOL < I32 < I64 < BF16, F16 < F32}, where F16 with BF16 gives F32. A Java scalar operand
 * takes the tensor's dtype, except that a {@code double} scalar with an integer or BOOL tensor
 * gives F32, and a {@code long} scalar with a BOOL tensor gives I32. See {@link #promote}.
 */
public enum DType {
    BOOL(ElementType.BOOL),
    F16(ElementType.F16),
    BF16(ElementType.BF16),
    F32(ElementType.F32),
    I32(ElementType.I32),
    I64(ElementType.I64);

    private final ElementType element;

    DType(ElementType element) {
        this.element = element;
    }

    /** The bytecode's name for this dtype. */
    public ElementType element() {
        return element;
    }

    /** Bytes per element in a tensor. */
    public int byteSize() {
        return element.byteSize();
    }

    /** F16, BF16 or F32. */
    public boolean isFloat() {
        return element.isFloat();
    }

    /** I32 or I64. */
    public boolean isInteger() {
        return this == I32 || this == I64;
    }

    /** The dtype both operands of a binary op are cast to. */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if ((a == F16 && b == BF16) || (a == BF16 && b == F16)) {
            return F32;
        }
        return a.rank() >= b.rank() ? a : b;
    }

    private int rank() {
        return switch (this) {
            case BOOL -> 0;
            case I32 -> 1;
            case I64 -> 2;
            case BF16, F16 -> 3;
            case F32 -> 4;
        };
    }
}
