package dev.dvm.bytecode;

/**
 * Receives a program's parts from a {@link ProgramReader}, in order: the header once, every slot,
 * every instruction, then the end. The verifier, the disassembler and the virtual machine's
 * pre-decoding are visitors; the default methods do nothing.
 */
public interface ProgramVisitor {
    /** The header, with the program for its accessors. */
    default void visitHeader(Program program) {}

    /** Slot-table entry {@code slot}. */
    default void visitSlot(int slot, int kind, ElementType type, long bytes) {}

    /**
     * One instruction at {@code byteOffset} from the start of the program.
     *
     * @param sync the 16 sync bits (see {@link Sync})
     * @param operands valid only during this call
     */
    default void visitInstruction(int byteOffset, Opcode opcode, int sync, Operands operands) {}

    /** After the last instruction. */
    default void visitEnd() {}
}
