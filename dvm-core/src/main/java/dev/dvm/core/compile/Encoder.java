package dev.dvm.core.compile;

import dev.dvm.bytecode.Program;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Instance;
import dev.dvm.vm.Executable;
import dev.dvm.vm.NpuSpec;

/**
 * Encodes instances of one kernel graph for one device spec. Thread-safe. Created once per kernel
 * and spec, so everything that does not depend on shapes can be prepared here once.
 */
public final class Encoder {
    private final Graph graph;
    private final NpuSpec spec;
    private final BackEndPlans plans;

    private Encoder(Graph graph, NpuSpec spec) {
        this.graph = graph;
        this.spec = spec;
        this.plans = new BackEndPlans(spec.events());
    }

    /** Prepares the shape-independent part of encoding {@code graph} for {@code spec}. */
    public static Encoder prepare(Graph graph, NpuSpec spec) {
        return new Encoder(graph, spec);
    }

    /** The graph this encoder encodes. */
    public Graph graph() {
        return graph;
    }

    /** The verified program and executable for {@code instance} (an instance of {@link #graph()}). */
    public Encoded encode(Instance instance) {
        Program program = Compiler.compile(instance, spec, plans);
        return new Encoded(program, Executable.of(program, spec));
    }

    /** A verified program for one instance and its executable. */
    public record Encoded(Program program, Executable executable) {
        /**
         * Bytes this instance keeps beyond what its encoder shares across instances: the program's
         * words (with the array header) and the executable's pre-decoded plan.
         */
        public long retainedBytes() {
            return 16 + program.byteSize() + executable.decodedBytes();
        }
    }
}
