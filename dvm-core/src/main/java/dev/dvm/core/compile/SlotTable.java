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
    private int[] kinds;
    private ElementType[] types;
    private long[] bytes;
    private Dim[] byteDims;

    /** A table with room for {@code expected} slots (inputs and outputs: a replay adds workspaces only for kernels that have them). */
    SlotTable(int expected) {
        kinds = new int[expected];
        types = new ElementType[expected];
        bytes = new long[expected];
        byteDims = new Dim[expected];
    }

    int add(int kind, ElementType type, long reachBytes) {
        if (count == kinds.length) {
            int grown = Math.max(4, count * 2);
            kinds = java.util.Arrays.copyOf(kinds, grown);
            types = java.util.Arrays.copyOf(types, grown);
            bytes = java.util.Arrays.copyOf(bytes, grown);
            byteDims = java.util.Arrays.copyOf(byteDims, grown);
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
