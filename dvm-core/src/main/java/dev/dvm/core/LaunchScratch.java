package dev.dvm.core;

import dev.dvm.vm.Bindings;
import java.util.Arrays;

/**
 * What a launch reuses so that a cache hit allocates nothing: room for the layout signature and
 * one {@link Bindings} per slot count. Not thread-safe: one per thread ({@link #current()}) or
 * per {@link Launch}.
 */
final class LaunchScratch {
    private static final ThreadLocal<LaunchScratch> CURRENT = ThreadLocal.withInitial(LaunchScratch::new);

    private long[] layout = new long[32];
    private Bindings[] bindingsBySlots = new Bindings[8];

    /** The calling thread's scratch. */
    static LaunchScratch current() {
        return CURRENT.get();
    }

    /** Room for a signature of {@code length} longs (grown only when a larger one is first seen). */
    long[] layout(int length) {
        if (layout.length < length) {
            layout = new long[Math.max(length, 2 * layout.length)];
        }
        return layout;
    }

    /** Bindings of exactly {@code slots} slots, all unset. */
    Bindings bindings(int slots) {
        if (bindingsBySlots.length <= slots) {
            bindingsBySlots = Arrays.copyOf(bindingsBySlots, Math.max(slots + 1, 2 * bindingsBySlots.length));
        }
        Bindings b = bindingsBySlots[slots];
        if (b == null) {
            b = new Bindings(slots);
            bindingsBySlots[slots] = b;
        }
        return b;
    }
}
