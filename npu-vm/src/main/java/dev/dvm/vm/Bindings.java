package dev.dvm.vm;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What a launch binds to a program's slots: for each input and output slot a memory segment and
 * the byte offset of element 0 in it. Workspace slots are bound by the device itself. Reusable:
 * set the slots again and launch again.
 */
public final class Bindings {
    private final MemorySegment[] segments;
    private final long[] offsets;

    /** Bindings for a program of {@code slots} slots, all unset. */
    public Bindings(int slots) {
        if (slots < 0) {
            throw new IllegalArgumentException("bindings for " + slots + " slots: need at least 0");
        }
        segments = new MemorySegment[slots];
        offsets = new long[slots];
    }

    /** Binds {@code slot} to {@code segment} from {@code byteOffset}; allocates nothing. */
    public Bindings set(int slot, MemorySegment segment, long byteOffset) {
        Objects.checkIndex(slot, segments.length);
        if (byteOffset < 0) {
            throw new IllegalArgumentException("slot " + slot + ": byte offset " + byteOffset + " is negative");
        }
        segments[slot] = Objects.requireNonNull(segment, "segment");
        offsets[slot] = byteOffset;
        return this;
    }

    /** Unbinds {@code slot}. */
    public Bindings clear(int slot) {
        segments[slot] = null;
        offsets[slot] = 0;
        return this;
    }

    /** Number of slots. */
    public int size() {
        return segments.length;
    }

    /** The segment bound to {@code slot}, or {@code null} when unset. */
    public MemorySegment segment(int slot) {
        return segments[slot];
    }

    /** The byte offset bound to {@code slot} (0 when unset). */
    public long byteOffset(int slot) {
        return offsets[slot];
    }
}
