package dev.dvm.core.compile;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Isa;
import dev.dvm.core.ir.Instance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Front ends of one kernel recorded for replay (decision 0005, step 3). A template is what one
 * run of partition, lowering and folding produced: the folded bodies with their shape numbers as
 * {@link Dim}s, the {@link Tape} holding every decision taken on those numbers as a guard, the
 * workspaces it added, and the split flags it ran with. A new instance with the same split flags
 * evaluates the tape on its own dims and strides; when every guard holds, the passes would have
 * taken the same path, so the recorded bodies with the evaluated numbers are exactly their
 * result (sound by construction: the front end can only compare shape numbers through the tape).
 * Any failed guard leaves the instance to the full front end, which records its own template.
 *
 * <p>Thread-safe: templates are immutable once recorded; the table is copied on write.
 */
final class FrontEndTemplates {
    /** Templates kept: a kernel has a few shape classes (dims of 1, coinciding strides), this bounds a pathological one. */
    static final int MAX_TEMPLATES = 16;

    /** Per thread, the values a replay evaluates (read only until the bodies are instantiated). */
    private static final ThreadLocal<long[][]> VALUES = ThreadLocal.withInitial(() -> new long[][] {new long[256]});

    private volatile Template[] templates = new Template[0];
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    private record Template(Tape.Recorded tape, boolean[] split, List<Body> bodies, Workspace[] workspaces) {}

    /** A workspace the front end added: its type and the tape index of its byte count. */
    private record Workspace(ElementType type, int bytes) {}

    /**
     * The back-end bodies for {@code instance} from the first template whose split flags and guards
     * match, adding its workspaces to {@code slots}; null when none does.
     */
    List<Body> replay(Instance instance, boolean[] split, SlotTable slots) {
        long[][] scratch = VALUES.get();
        for (Template t : templates) {
            if (!Arrays.equals(t.split, split)) {
                continue;
            }
            if (scratch[0].length < t.tape.ops().length) {
                scratch[0] = new long[t.tape.ops().length];
            }
            long[] values = scratch[0];
            if (t.tape.replay(instance, values)) {
                for (Workspace w : t.workspaces) {
                    slots.add(Isa.SLOT_WORKSPACE, w.type(), values[w.bytes()]);
                }
                hits.increment();
                return instantiate(t.bodies, values);
            }
        }
        misses.increment();
        return null;
    }

    /** Keeps the front end a full run produced (room permitting). */
    void record(Instance instance, Tape tape, boolean[] split, List<Body> bodies, SlotTable slots, int firstWorkspace) {
        Workspace[] workspaces = new Workspace[slots.count() - firstWorkspace];
        for (int i = 0; i < workspaces.length; i++) {
            int slot = firstWorkspace + i;
            workspaces[i] = new Workspace(slots.type(slot), slots.workspaceBytes(slot).index);
        }
        Template t = new Template(tape.freeze(instance), split.clone(), List.copyOf(bodies), workspaces);
        synchronized (this) {
            if (templates.length < MAX_TEMPLATES) {
                Template[] grown = Arrays.copyOf(templates, templates.length + 1);
                grown[templates.length] = t;
                templates = grown;
            }
        }
    }

    /** Back-end forms of front-end {@code bodies} with the numbers {@code values}. */
    static List<Body> instantiate(List<Body> bodies, long[] values) {
        List<Body> out = new ArrayList<>(bodies.size());
        for (Body b : bodies) {
            out.add(b.instantiate(values));
        }
        return out;
    }

    /** Instances whose front end was replayed. */
    long hits() {
        return hits.sum();
    }

    /** Instances that ran the full front end (no template matched; retried split attempts count once each). */
    long misses() {
        return misses.sum();
    }
}
