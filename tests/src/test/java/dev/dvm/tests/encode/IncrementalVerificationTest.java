package dev.dvm.tests.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.bytecode.Isa;
import dev.dvm.bytecode.Layout;
import dev.dvm.bytecode.MalformedProgramException;
import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Operand;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.ProgramStructure;
import dev.dvm.bytecode.ProgramVisitor;
import dev.dvm.bytecode.Verifier;
import dev.dvm.core.DvmException;
import dev.dvm.core.Kernel;
import dev.dvm.tests.DemoKernels;
import dev.dvm.tests.property.KernelCase;
import dev.dvm.tests.property.KernelCaseGen;
import dev.dvm.vm.NpuSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Differential test of {@link Verifier#verifyNumbers} against the full {@link Verifier#verify}:
 * programs compiled for many shapes are grouped by structure, the first of each is verified in
 * full, and every later one, as compiled and with one number corrupted at a time (UB addresses,
 * counts, tile geometry, extents, offsets, strides, slot sizes, header totals), must be accepted by
 * the incremental verifier exactly when the full one accepts it, and rejected by the same rule at
 * the same byte.
 */
class IncrementalVerificationTest {
    private static final NpuSpec SPEC = NpuSpec.host();
    private static final ProgramVisitor NO_VISITOR = new ProgramVisitor() {};

    /** A number field of a program: word index, bit position and width. */
    private record Field(int word, int bit, int width) {
        long get(long[] words) {
            long mask = width == 64 ? -1L : (1L << width) - 1;
            return words[word] >>> bit & mask;
        }

        void set(long[] words, long value) {
            long mask = width == 64 ? -1L : (1L << width) - 1;
            words[word] = words[word] & ~(mask << bit) | (value & mask) << bit;
        }
    }

    @Test
    void demoKernelsAtRandomShapes() {
        SplittableRandom r = new SplittableRandom(5);
        List<Kernel> kernels = EncodeCases.demoKernels(r);
        int checked = 0;
        for (Kernel kernel : kernels) {
            for (NpuSpec spec : EncodeCases.SPECS) {
                List<Program> programs = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    long[][] shapes = EncodeCases.randomShapes(kernel, r);
                    programs.add(kernel.normalize(spec, shapes).program());
                }
                checked += checkAgainstFirstOfEachStructure(programs, spec, r);
            }
        }
        assertTrue(checked > 100, "only " + checked + " programs shared a structure with an earlier one");
    }

    @Test
    void randomKernels() {
        KernelCaseGen gen = new KernelCaseGen(8);
        SplittableRandom r = new SplittableRandom(55);
        int checked = 0;
        for (int c = 0; c < 250; c++) {
            KernelCase kc = gen.generate(r);
            Kernel kernel = kc.spec().build().kernel();
            List<Program> programs = new ArrayList<>();
            for (List<long[]> set : kc.shapeSets()) {
                try {
                    programs.add(kernel.normalize(SPEC, set.toArray(long[][]::new)).program());
                } catch (DvmException e) {
                    // a case the compiler rejects: no program to verify
                }
            }
            checked += checkAgainstFirstOfEachStructure(programs, SPEC, r);
        }
        assertTrue(checked > 40, "only " + checked + " programs shared a structure with an earlier one");
    }

    @Test
    void aProgramOfAnotherStructureIsRefused() {
        Kernel kernel = DemoKernels.elementwise10().build().kernel();
        Program program = kernel.normalize(SPEC, new long[] {64, 1024}).program();
        ProgramStructure structure = Verifier.verifyStructure(program, SPEC.ubBytes(), SPEC.events(), NO_VISITOR);
        long[] words = program.words();
        Field type = numberAndStructureFields(words, false).getFirst();
        type.set(words, type.get(words) ^ 1);
        Program changed = new Program(words);
        assertFalse(structure.matches(changed));
        assertThrows(IllegalArgumentException.class,
                () -> Verifier.verifyNumbers(changed, structure, SPEC.ubBytes(), SPEC.events(), NO_VISITOR));
        assertThrows(IllegalArgumentException.class,
                () -> Verifier.verifyNumbers(program, structure, SPEC.ubBytes(), SPEC.events() - 1, NO_VISITOR));
    }

    /** Returns how many programs were compared against an earlier program's structure. */
    private static int checkAgainstFirstOfEachStructure(List<Program> programs, NpuSpec spec, SplittableRandom r) {
        List<ProgramStructure> structures = new ArrayList<>();
        int checked = 0;
        for (Program program : programs) {
            // the writer's hash, folded while writing, is the hash of the finished words
            assertEquals(new Program(program.words()).structureHash(), program.structureHash());
            ProgramStructure template = structures.stream().filter(s -> s.matches(program)).findFirst().orElse(null);
            if (template == null) {
                structures.add(Verifier.verifyStructure(program, spec.ubBytes(), spec.events(), NO_VISITOR));
                continue;
            }
            assertEquals(template.hash(), program.structureHash());
            assertSameOutcome(program, template, spec, "as compiled");
            long[] words = program.words();
            for (Field field : numberAndStructureFields(words, true)) {
                for (int k = 0; k < 3; k++) {
                    long[] corrupted = words.clone();
                    long value = corruption(field.get(words), field.width(), r);
                    field.set(corrupted, value);
                    Program mutant = new Program(corrupted);
                    String what = "word " + field.word() + " bit " + field.bit() + " set to " + value;
                    assertTrue(template.matches(mutant), "a number change kept the structure: " + what);
                    assertSameOutcome(mutant, template, spec, what);
                }
            }
            checked++;
        }
        return checked;
    }

    private static void assertSameOutcome(Program program, ProgramStructure template, NpuSpec spec, String what) {
        String full = outcome(() -> Verifier.verify(program, spec.ubBytes(), spec.events(), NO_VISITOR));
        String numbers = outcome(() -> Verifier.verifyNumbers(program, template, spec.ubBytes(), spec.events(), NO_VISITOR));
        assertEquals(full, numbers, what);
    }

    /** "accepted", or the rule and byte offset of the rejection. */
    private static String outcome(Runnable verify) {
        try {
            verify.run();
            return "accepted";
        } catch (MalformedProgramException e) {
            return e.rule() + " at byte " + e.byteOffset();
        }
    }

    /** A value near the boundaries the numeric rules draw: 0, ±1, ±one block, doubled, halved, the field's maximum, a flipped bit. */
    private static long corruption(long value, int width, SplittableRandom r) {
        long max = width == 64 ? Long.MAX_VALUE : (1L << width) - 1;
        return switch (r.nextInt(9)) {
            case 0 -> 0;
            case 1 -> value + 1;
            case 2 -> value - 1;
            case 3 -> value + Isa.BLOCK_BYTES;
            case 4 -> value - Isa.BLOCK_BYTES;
            case 5 -> value * 2;
            case 6 -> value / 2;
            case 7 -> width == 64 ? -1L - r.nextLong(4) : max;
            default -> value ^ 1L << r.nextInt(width);
        };
    }

    /**
     * The number fields of a well-formed program (header totals, slot sizes, number operands) when
     * {@code numbers}, else its structural operands, found by decoding heads with the layouts.
     */
    private static List<Field> numberAndStructureFields(long[] words, boolean numbers) {
        List<Field> fields = new ArrayList<>();
        int slots = (int) (words[2] >>> 32 & 0xFFFF);
        if (numbers) {
            fields.add(new Field(1, 32, 32)); // tiles
            fields.add(new Field(3, 32, 32)); // UB bytes
            for (int s = 0; s < slots; s++) {
                fields.add(new Field(Isa.HEADER_WORDS + s, 0, 48));
            }
        }
        for (int pc = Isa.HEADER_WORDS + slots; pc < words.length; pc += Isa.length(words[pc])) {
            Layout layout = Opcode.ofCode(Isa.opcode(words[pc])).layout();
            int count = layout.fixedCount();
            for (int i = 0; i < count; i++) {
                Operand kind = layout.kind(i);
                Field field = new Field(pc + layout.position(i) / 64, layout.position(i) % 64, kind.bits());
                if (i == layout.repeatCountIndex()) {
                    count += (int) field.get(words);
                }
                if (kind.structural() != numbers) {
                    fields.add(field);
                }
            }
        }
        return fields;
    }
}
