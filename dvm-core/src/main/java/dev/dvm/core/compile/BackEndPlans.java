package dev.dvm.core.compile;

import dev.dvm.core.compile.Body.Instr;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shape-independent back end of stage bodies, remembered per body structure: UB allocation by
 * liveness ({@link UbAllocator}) and event flags ({@link EventPlacer}) depend only on the order of
 * instructions, which buffers they read and write, and each buffer's kind (row or full) and units,
 * never on extents, strides or the tile size. Instances whose bodies have the same structure reuse
 * the plan instead of allocating and placing events again. Thread-safe.
 */
final class BackEndPlans {
    /** A body's allocation and the sync bits of each instruction of {@link Body#code()}. */
    record Plan(UbAllocator alloc, int[] sync) {}

    private final ConcurrentHashMap<Structure, Plan> plans = new ConcurrentHashMap<>();
    private final int events;

    BackEndPlans(int events) {
        this.events = events;
    }

    /** Allocates {@code code} (from {@code body.code()}) and sets its flags, from the remembered plan when there is one. */
    UbAllocator place(Body body, Instr[] code) {
        Structure key = Structure.of(body, code);
        Plan plan = plans.get(key);
        if (plan == null) {
            UbAllocator alloc = allocateAndPlace(body, code, events);
            int[] sync = new int[code.length];
            for (int i = 0; i < code.length; i++) {
                sync[i] = code[i].sync;
            }
            plans.putIfAbsent(key, new Plan(alloc, sync));
            return alloc;
        }
        for (int i = 0; i < code.length; i++) {
            code[i].sync = plan.sync[i];
        }
        return plan.alloc;
    }

    /** The full back end of one body: what a plan remembers. */
    static UbAllocator allocateAndPlace(Body body, Instr[] code, int events) {
        UbAllocator alloc = UbAllocator.allocate(body, code);
        EventPlacer.place(body, code, alloc, events);
        return alloc;
    }

    /**
     * What allocation and event placement read: per instruction its opcode and buffer operands, per
     * buffer its kind and units, and the split into loads, vector instructions and stores.
     */
    private record Structure(int[] words) {
        static Structure of(Body body, Instr[] code) {
            int[] w = new int[2 + code.length * 5 + body.bufferCount];
            int k = 0;
            w[k++] = body.loads.size();
            w[k++] = body.vector.size();
            for (Instr in : code) {
                w[k++] = in.op.ordinal();
                w[k++] = in.dst;
                w[k++] = in.a;
                w[k++] = in.b;
                w[k++] = in.c;
            }
            for (int b = 0; b < body.bufferCount; b++) {
                w[k++] = (body.rowBuffer[b] ? 2 : 0) | body.units(b);
            }
            return new Structure(w);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Structure s && Arrays.equals(words, s.words);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(words);
        }
    }
}
