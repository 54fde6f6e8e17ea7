package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.ProgramWriter;

/** The binding slots of the program being compiled: inputs, outputs, then workspaces as they are created. */
final class SlotTable {
    private int count;
    private int[] kinds = new int[8];
    private ElementType[] types = new ElementType[8];
    private long[] bytes = new long[8];

    int add(int kind, ElementType type, long reachBytes) {
        if (count == kinds.length) {
            kinds = java.util.Arrays.copyOf(kinds, count * 2);
            types = java.util.Arrays.copyOf(types, count * 2);
            bytes = java.util.Arrays.copyOf(bytes, count * 2);
        }
        kinds[count] = kind;
        types[count] = type;
        bytes[count] = reachBytes;
        return count++;
    }

    /** A new contiguous workspace of {@code elements} elements of {@code type}. */
    int workspace(ElementType type, long elements) {
        return add(Isa.SLOT_WORKSPACE, type, Math.multiplyExact(elements, type.byteSize()));
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
