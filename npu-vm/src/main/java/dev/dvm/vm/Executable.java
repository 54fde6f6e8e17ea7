package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramStructure;
import dev.dvm.bytecode.Verifier;
import java.util.Objects;

/**
 * A program verified against an {@link NpuSpec} and pre-decoded for the interpreter. Verification
 * happens once, here; launches trust it.
 */
public final class Executable {
    /** One pre-decoder per thread, its record buffers reused: encoding a new instance allocates only what it keeps. */
    private static final ThreadLocal<PreDecoder> DECODERS = ThreadLocal.withInitial(PreDecoder::new);

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
        PreDecoder decoder = DECODERS.get();
        try {
            // One reading pass: each part reaches the pre-decoder only after the verifier accepted it.
            Verifier.verify(program, spec.ubBytes(), spec.events(), decoder);
            return new Executable(program, spec, decoder);
        } finally {
            decoder.reset();
        }
    }

    /**
     * Verifies {@code program}, whose structure is exactly {@code verified} (from
     * {@link Verifier#verifyStructure} for {@code spec}'s events), by the numeric rules alone: what
     * encoding a new instance of a known structure can change. Accepts exactly what
     * {@link #of(Program, NpuSpec)} accepts.
     *
     * @throws IllegalArgumentException when the structure differs; verify such a program in full
     */
    public static Executable of(Program program, NpuSpec spec, ProgramStructure verified) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(verified, "verified");
        PreDecoder decoder = DECODERS.get();
        try {
            Verifier.verifyNumbers(program, verified, spec.ubBytes(), spec.events(), decoder);
            return new Executable(program, spec, decoder);
        } finally {
            decoder.reset();
        }
    }

    public Program program() {
        return program;
    }

    /** The spec the program was verified for. */
    public NpuSpec spec() {
        return spec;
    }

    /**
     * Heap bytes of the pre-decoded form this executable keeps besides its program: the stage plans
     * and slot arrays (an estimate with 16-byte headers and 4-byte references).
     */
    public long decodedBytes() {
        long bytes = 16 + 4 * 6 + StagePlan.array(stages.length, 4) + StagePlan.array(slotKinds.length, 4)
                + StagePlan.array(slotTypes.length, 4) + StagePlan.array(slotBytes.length, 8);
        for (StagePlan stage : stages) {
            bytes += stage.heapBytes();
        }
        return bytes;
    }

    /**
     * For each stage, the class file the JIT tier generates for it (the same for every instance of
     * the stage's structure), or null where the JIT does not support the stage; for inspection.
     */
    public byte[][] jitClassFiles() {
        byte[][] files = new byte[stages.length][];
        for (int i = 0; i < stages.length; i++) {
            files[i] = Jit.classFile(stages[i]);
        }
        return files;
    }

    /** Number of binding slots the program declares. */
    public int slots() {
        return slotKinds.length;
    }
}
