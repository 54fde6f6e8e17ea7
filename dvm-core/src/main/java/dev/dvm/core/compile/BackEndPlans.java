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
    /** A body's allocation and the sync bits of each instruction of {@link Body#code()} (shared: never written). */
    record Plan(UbAllocator alloc, int[] sync) {}

    /** Per thread, the words of the structure being looked up: a key is copied out only when a new plan is stored. */
    private static final ThreadLocal<Structure> PROBES = ThreadLocal.withInitial(() -> new Structure(new int[64], 0));

    private final ConcurrentHashMap<Structure, Plan> plans = new ConcurrentHashMap<>();
    private final int events;

    BackEndPlans(int events) {
        this.events = events;
    }

    /**
     * The allocation and flags of {@code code} (from {@code body.code()}), from the remembered plan
     * when there is one: the plan its front-end source already holds (a replayed template needs no
     * structure lookup), else the one for its structure.
     */
    Plan place(Body body, Instr[] code) {
        Plan plan = body.source != null ? body.source.plan : null;
        if (plan == null) {
            plan = lookUp(body, code);
            if (body.source != null) {
                body.source.plan = plan;
            }
        }
        return plan;
    }

    /** The plan for the structure of {@code code}, made and remembered when it is new. */
    private Plan lookUp(Body body, Instr[] code) {
        Structure probe = PROBES.get().fill(body, code);
        Plan plan = plans.get(probe);
        if (plan == null) {
            Plan made = allocateAndPlace(body, code, events);
            Plan raced = plans.putIfAbsent(probe.copy(), made);
            return raced != null ? raced : made;
        }
        return plan;
    }

    /** The full back end of one body: what a plan remembers. */
    static Plan allocateAndPlace(Body body, Instr[] code, int events) {
        UbAllocator alloc = UbAllocator.allocate(body, code);
        return new Plan(alloc, EventPlacer.place(body, code, alloc, events));
    }

    /**
     * What allocation and event placement read: per instruction its opcode and buffer operands, per
     * buffer its kind and units, and the split into loads, vector instructions and stores. The key
     * is the first {@code length} words; a thread's probe is refilled for every lookup.
     */
    private static final class Structure {
        private int[] words;
        private int length;
        private int hash;

        private Structure(int[] words, int length) {
            this.words = words;
            this.length = length;
            this.hash = hash(words, length);
        }

        /** This probe, refilled with the structure of {@code code} (from {@code body.code()}). */
        Structure fill(Body body, Instr[] code) {
            int size = 2 + code.length * 5 + body.bufferCount;
            if (words.length < size) {
                words = new int[size];
            }
            int[] w = words;
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
            length = k;
            hash = hash(w, k);
            return this;
        }

        private static int hash(int[] words, int length) {
            int h = 1;
            for (int i = 0; i < length; i++) {
                h = 31 * h + words[i];
            }
            return h;
        }

        /** A key that stays equal to this probe's current words. */
        Structure copy() {
            return new Structure(Arrays.copyOf(words, length), length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Structure s && Arrays.equals(words, 0, length, s.words, 0, s.length);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
