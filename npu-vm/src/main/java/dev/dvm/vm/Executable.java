package dev.dvm.vm;

import dev.dvm.bytecode.ElementType;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramStructure;
import dev.dvm.bytecode.Verifier;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A program verified against an {@link NpuSpec} and pre-decoded for the interpreter. Verification
 * happens once, here; launches trust it and run the pre-decoded form only, so an executable made
 * with a program source ({@link #of(Program, NpuSpec, ProgramStructure, Supplier)}) keeps no
 * program words at all.
 */
public final class Executable {
    /** One pre-decoder per thread, its record buffers reused: encoding a new instance allocates only what it keeps. */
    private static final ThreadLocal<PreDecoder> DECODERS = ThreadLocal.withInitial(PreDecoder::new);

    /** Gives the program again: the program itself, or an encoder that makes an equal one. */
    private final Supplier<Program> program;
    private final NpuSpec spec;
    /** The program's UB bytes (header), checked against the device at launch. */
    final long ubBytes;
    /** The program's tiles over all stages (header). */
    private final long tiles;
    final StagePlan[] stages;
    final int[] slotKinds;
    final ElementType[] slotTypes;
    final long[] slotBytes;
    /** {@link #decodedBytes()}, counted while decoding: only the decoder knows which arrays it shared. */
    private final long decodedBytes;
    /** Heap bytes of this object: 12-byte header, 6 references, 3 longs, 8-byte aligned. */
    static final long OBJECT_BYTES = StagePlan.object(6 * 4 + 3 * 8);

    private Executable(Program program, Supplier<Program> source, NpuSpec spec, PreDecoder decoded) {
        this.program = source != null ? source : () -> program;
        this.spec = spec;
        this.ubBytes = program.ubBytes();
        this.tiles = program.tiles();
        this.stages = decoded.stages.toArray(StagePlan[]::new);
        this.slotKinds = decoded.slotKinds;
        this.slotTypes = decoded.slotTypes;
        this.slotBytes = decoded.slotBytes();
        this.decodedBytes = OBJECT_BYTES + StagePlan.array(stages.length, 4) + StagePlan.array(slotBytes.length, 8)
                + stages.length * StagePlan.OBJECT_BYTES + decoded.shared.keptBytes;
    }

    /** Verifies {@code program} for {@code spec}; throws {@link dev.dvm.bytecode.MalformedProgramException}. */
    public static Executable of(Program program, NpuSpec spec) {
        return of(program, spec, null, null);
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
        return of(program, spec, Objects.requireNonNull(verified, "verified"), null);
    }

    /**
     * {@link #of(Program, NpuSpec, ProgramStructure)} (or, when {@code verified} is null, a full
     * verification as {@link #of(Program, NpuSpec)}) for an executable that keeps {@code source}
     * instead of {@code program}: {@link #program()} returns {@code source.get()}, which must make
     * a program equal to {@code program} (an encoder encoding the same instance again). Launches
     * never need the program, so the executable need not pin its words; null keeps the program.
     */
    public static Executable of(Program program, NpuSpec spec, ProgramStructure verified, Supplier<Program> source) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(spec, "spec");
        PreDecoder decoder = DECODERS.get();
        try {
            decoder.begin(verified);
            if (verified != null) {
                Verifier.verifyNumbers(program, verified, spec.ubBytes(), spec.events(), decoder);
            } else {
                Verifier.verify(program, spec.ubBytes(), spec.events(), decoder);
            }
            return new Executable(program, source, spec, decoder);
        } finally {
            decoder.reset();
        }
    }

    /** The verified program: kept, or made again by the source this executable was given. */
    public Program program() {
        return program.get();
    }

    /** Tiles over all stages. */
    public long tiles() {
        return tiles;
    }

    /** The spec the program was verified for. */
    public NpuSpec spec() {
        return spec;
    }

    /**
     * Heap bytes this executable added when it was made: itself, its stage plans, the slot bytes
     * and each array or memory plan the pre-decoder could not share with an executable made
     * before on the same thread (see {@code SharedArrays}); an estimate with 12-byte headers and
     * 4-byte references (compressed oops), 8-byte aligned. The program words are not counted: an
     * executable made with a program source does not keep them.
     */
    public long decodedBytes() {
        return decodedBytes;
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
