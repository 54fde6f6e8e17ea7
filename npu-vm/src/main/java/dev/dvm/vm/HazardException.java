package dev.dvm.vm;

import dev.dvm.bytecode.Opcode;

/**
 * A checked-mode report: an instruction touched a unified-buffer block without the event that
 * orders it after the other pipe's access, or an event was waited without a set or set twice.
 */
public final class HazardException extends VmException {
    private static final long serialVersionUID = 1L;

    private final int stage;
    private final long tile;
    private final int byteOffset;
    private final transient Opcode opcode;
    private final long ubAddress;

    HazardException(int stage, long tile, int byteOffset, Opcode opcode, long ubAddress, String detail) {
        super("hazard in stage " + stage + ", tile " + tile + ", " + opcode + " at byte " + byteOffset
                + (ubAddress >= 0 ? ", UB address 0x" + Long.toHexString(ubAddress) : "") + ": " + detail);
        this.stage = stage;
        this.tile = tile;
        this.byteOffset = byteOffset;
        this.opcode = opcode;
        this.ubAddress = ubAddress;
    }

    /** Index of the stage in the program. */
    public int stage() {
        return stage;
    }

    /** The tile being run. */
    public long tile() {
        return tile;
    }

    /** Byte offset of the instruction from the start of the program. */
    public int byteOffset() {
        return byteOffset;
    }

    public Opcode opcode() {
        return opcode;
    }

    /** The UB byte address of the block involved, or -1 for an event error. */
    public long ubAddress() {
        return ubAddress;
    }
}
