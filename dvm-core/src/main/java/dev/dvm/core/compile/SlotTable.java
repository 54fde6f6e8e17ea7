package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.ProgramWriter;

/**
 * The binding slots of the program being compiled: inputs, outputs, then workspaces as they are
 * created. Workspaces sized by the front end keep their byte count as a {@link Dim}, so a replay
 * can add the same workspaces with its own numbers.
 */
final class SlotTable {
    private int count;
    private int[] kinds = new int[8];
    private ElementType[] types = new ElementType[8];
    private long[] bytes = new long[8];
    private Dim[] byteDims = new Dim[8];

    int add(int kind, ElementType type, long reachBytes) {
        if (count == kinds.length) {
            kinds = java.util.Arrays.copyOf(kinds, count * 2);
            types = java.util.Arrays.copyOf(types, count * 2);
            bytes = java.util.Arrays.copyOf(bytes, count * 2);
            byteDims = java.util.Arrays.copyOf(byteDims, count * 2);
        }
        byteDims[count] = null;
        kinds[count] = kind;
        types[count] = type;
        bytes[count] = reachBytes;
        return count++;
    }

    /** A new contiguous workspace of {@code elements} elements of {@code type}. */
    int workspace(ElementType type, Dim elements) {
        Dim reach = elements.timesExact(type.byteSize());
        int slot = add(Isa.SLOT_WORKSPACE, type, elements.tape.values()[reach.index]);
        byteDims[slot] = reach;
        return slot;
    }

    /** The byte count of workspace {@code slot} as a {@link Dim}. */
    Dim workspaceBytes(int slot) {
        return byteDims[slot];
    }

    void setBytes(int slot, long reachBytes) {
        bytes[slot] = reachBytes;
    }

    ElementType type(int slot) {
        return types[slot];
    }

    int count() {
        return count;
    }

    void writeTo(ProgramWriter writer) {
        for (int s = 0; s < count; s++) {
            writer.slot(kinds[s], types[s], bytes[s]);
        }
    }
}
