package dev.dvm.core.compile;

import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramStructure;
import dev.dvm.bytecode.ProgramVisitor;
import dev.dvm.bytecode.Verifier;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Instance;
import dev.dvm.vm.Executable;
import dev.dvm.vm.NpuSpec;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Encodes instances of one kernel graph for one device spec. Thread-safe. Created once per kernel
 * and spec, so everything that does not depend on shapes can be prepared here once.
 *
 * <p>The front end (partition, lowering, folding) is replayed when a recorded template's guards
 * hold for the instance (see {@link FrontEndTemplates}); otherwise it runs in full and is recorded.
 *
 * <p>Verification is incremental: the first program of each structure is verified in full and
 * its {@link ProgramStructure} kept; later programs of exactly that structure are verified by the
 * numeric rules alone.
 */
public final class Encoder {
    /** Structures kept per encoder: a kernel has a handful (split reductions, broadcasts), this bounds a pathological one. */
    static final int MAX_STRUCTURES = 64;
    private static final ProgramVisitor NO_VISITOR = new ProgramVisitor() {};

    private final Graph graph;
    private final NpuSpec spec;
    private final BackEndPlans plans;
    private final FrontEndTemplates frontEnds = new FrontEndTemplates();
    /** Fully verified structures, copied on write: encodes read it without locking. */
    private volatile ProgramStructure[] structures = new ProgramStructure[0];
    /**
     * The structure of the last program encoded, which the next is written against (a guess: the
     * writer compares every structure bit). A plain field: a stale or racy read only makes the
     * guess worse, and a structure's fields are final.
     */
    private ProgramStructure lastStructure;

    private Encoder(Graph graph, NpuSpec spec) {
        this.graph = graph;
        this.spec = spec;
        this.plans = new BackEndPlans(spec.events());
    }

    /** Prepares the shape-independent part of encoding {@code graph} for {@code spec}. */
    public static Encoder prepare(Graph graph, NpuSpec spec) {
        return new Encoder(graph, spec);
    }

    /** The spec this encoder encodes for. */
    public NpuSpec spec() {
        return spec;
    }

    /** The graph this encoder encodes. */
    public Graph graph() {
        return graph;
    }

    /**
     * The verified program and executable for {@code instance} (an instance of {@link #graph()}).
     * The executable keeps {@code source} instead of the program: it must encode the same instance
     * again ({@link #program}), which gives an equal program because encoding is deterministic.
     */
    public Encoded encode(Instance instance, Supplier<Program> source) {
        Program program = program(instance);
        ProgramStructure structure = verifiedStructure(program);
        if (structure != null && structure != lastStructure) {
            lastStructure = structure;
        }
        return new Encoded(program, Executable.of(program, spec, structure, source));
    }

    /** The program for {@code instance}, equal to the one {@link #encode} verifies (not verified again). */
    public Program program(Instance instance) {
        return Compiler.compile(instance, spec, plans, frontEnds, lastStructure);
    }

    /** Encodes (including retried attempts with split reductions) whose front end was replayed from a recorded template. */
    public long frontEndReplays() {
        return frontEnds.hits();
    }

    /** Encodes (including retried attempts) that ran the full front end because no template's guards held. */
    public long frontEndRuns() {
        return frontEnds.misses();
    }

    /**
     * The kept structure {@code program} matches, else (room permitting) its structure after a full
     * verification; null when the table is full and the program must be verified in full.
     */
    private ProgramStructure verifiedStructure(Program program) {
        long hash = program.structureHash();
        for (ProgramStructure known : structures) {
            if (known.hash() == hash && known.matches(program)) {
                return known;
            }
        }
        if (structures.length >= MAX_STRUCTURES) {
            return null;
        }
        ProgramStructure verified = Verifier.verifyStructure(program, spec.ubBytes(), spec.events(), NO_VISITOR);
        synchronized (this) {
            ProgramStructure[] known = structures;
            // another thread may have added this structure since the scan
            if (known.length < MAX_STRUCTURES && Arrays.stream(known).noneMatch(k -> k.matches(program))) {
                ProgramStructure[] grown = Arrays.copyOf(known, known.length + 1);
                grown[known.length] = verified;
                structures = grown;
            }
        }
        return verified;
    }

    /**
     * A verified program for one instance and its executable. Only the executable is meant to be
     * kept: it gives the program again on demand.
     */
    public record Encoded(Program program, Executable executable) {
        /**
         * Bytes this instance keeps beyond what its encoder shares across instances: the
         * executable's pre-decoded plan (the program's words are not kept).
         */
        public long retainedBytes() {
            return executable.decodedBytes();
        }
    }
}
