package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramReader;
import dev.dvm.bytecode.Verifier;
import java.util.Objects;

/**
 * A program verified against an {@link NpuSpec} and pre-decoded for the interpreter. Verification
 * happens once, here; launches trust it.
 */
public final class Executable {
    private final Program program;
    private final NpuSpec spec;
    final StagePlan[] stages;
    final int[] slotKinds;
    final ElementType[] slotTypes;
    final long[] slotBytes;

    private Executable(Program program, NpuSpec spec, PreDecoder decoded) {
        this.program = program;
        this.spec = spec;
        this.stages = decoded.stages.toArray(StagePlan[]::new);
        this.slotKinds = decoded.slotKinds;
        this.slotTypes = decoded.slotTypes;
        this.slotBytes = decoded.slotBytes;
    }

    /** Verifies {@code program} for {@code spec}; throws {@link dev.dvm.bytecode.MalformedProgramException}. */
    public static Executable of(Program program, NpuSpec spec) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(spec, "spec");
        Verifier.verify(program, spec.ubBytes(), spec.events());
        PreDecoder decoder = new PreDecoder();
        new ProgramReader(program).accept(decoder);
        return new Executable(program, spec, decoder);
    }

    public Program program() {
        return program;
    }

    /** The spec the program was verified for. */
    public NpuSpec spec() {
        return spec;
    }

    /** Number of binding slots the program declares. */
    public int slots() {
        return slotKinds.length;
    }
}
