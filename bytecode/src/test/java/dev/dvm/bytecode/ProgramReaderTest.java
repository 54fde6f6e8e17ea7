package dev.dvm.bytecode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProgramReaderTest {
    /** What a visitor saw, one string per call. */
    private static List<String> visits(Program program) {
        List<String> seen = new ArrayList<>();
        new ProgramReader(program).accept(new ProgramVisitor() {
            @Override
            public void visitHeader(Program p) {
                seen.add("header " + p.slots() + " slots");
            }

            @Override
            public void visitSlot(int slot, int kind, ElementType type, long bytes) {
                seen.add("slot " + slot + " " + kind + " " + type + " " + bytes);
            }

            @Override
            public void visitInstruction(int byteOffset, Opcode opcode, int sync, Operands operands) {
                long[] values = new long[operands.count()];
                Arrays.setAll(values, operands::get);
                seen.add(byteOffset + " " + opcode + " " + sync + " " + Arrays.toString(values));
            }

            @Override
            public void visitEnd() {
                seen.add("end");
            }
        });
        return seen;
    }

    @Test
    void visitsHeaderSlotsInstructionsThenEnd() {
        assertEquals(List.of(
                "header 3 slots",
                "slot 0 0 F32 4096",
                "slot 1 0 F32 4096",
                "slot 2 1 F32 4096",
                "56 STAGE 0 [4, 15, 2, 128, 128, 2, 1, 4, 256]",
                "96 LOAD " + Programs.SYNC_LOAD_A + " [0, 0, 3, 0, 2, 0, 256, 1]",
                "128 LOAD " + Programs.SYNC_LOAD_B + " [1024, 1, 3, 0, 2, 0, 256, 1]",
                "160 ADD " + Programs.SYNC_ADD + " [2048, 0, 1024, 256, 3]",
                "184 STORE " + Programs.SYNC_STORE + " [2048, 2, 3, 0, 2, 0, 256, 1]",
                "216 END 0 []",
                "end"), visits(Programs.add().program()));
    }

    @Test
    void operandsRejectAnIndexPastTheCount() {
        new ProgramReader(Programs.add().program()).accept(new ProgramVisitor() {
            @Override
            public void visitInstruction(int byteOffset, Opcode opcode, int sync, Operands operands) {
                assertThrows(IndexOutOfBoundsException.class, () -> operands.get(operands.count()));
            }
        });
    }

    /** An instruction as generated: the oracle and the reader must both give these values back. */
    private record Expected(Opcode opcode, int sync, long[] operands) {}

    @Test
    void decodesRandomStreamsLikeTheIndependentDecoder() {
        Random random = new Random(20240611);
        List<Opcode> body = new ArrayList<>(Arrays.asList(Opcode.values()));
        body.removeAll(List.of(Opcode.STAGE, Opcode.END));
        for (int round = 0; round < 40; round++) {
            ProgramWriter w = new ProgramWriter().simdWidth(random.nextInt(1 << 16)).ubBytes(random.nextLong(1L << 32));
            int slots = random.nextInt(4);
            for (int s = 0; s < slots; s++) {
                w.slot(random.nextInt(3), ElementType.values()[random.nextInt(6)], random.nextLong(1L << 48));
            }
            List<Expected> expected = new ArrayList<>();
            int stages = 1 + random.nextInt(3);
            for (int stage = 0; stage < stages; stage++) {
                int stageIndex = expected.size();
                expected.add(write(w, random, Opcode.STAGE));
                Collections.shuffle(body, random);
                // Every body opcode once, then a few more at random.
                List<Opcode> ops = new ArrayList<>(body);
                for (int extra = random.nextInt(8); extra > 0; extra--) {
                    ops.add(body.get(random.nextInt(body.size())));
                }
                int bodyStart = w.codeLength();
                for (Opcode op : ops) {
                    expected.add(write(w, random, op));
                }
                // The writer patches the body length on END.
                expected.get(stageIndex).operands()[1] = w.codeLength() - bodyStart;
                expected.add(write(w, random, Opcode.END));
            }
            Program program = w.toProgram();
            List<TestDecoder.Instruction> oracle = TestDecoder.decode(program.words());
            List<Expected> read = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            new ProgramReader(program).accept(new ProgramVisitor() {
                @Override
                public void visitInstruction(int byteOffset, Opcode opcode, int sync, Operands operands) {
                    long[] values = new long[operands.count()];
                    Arrays.setAll(values, operands::get);
                    read.add(new Expected(opcode, sync, values));
                    offsets.add(byteOffset);
                }
            });
            assertEquals(expected.size(), oracle.size());
            assertEquals(expected.size(), read.size());
            int offset = program.codeStart() * 8;
            for (int i = 0; i < expected.size(); i++) {
                Expected e = expected.get(i);
                TestDecoder.Instruction o = oracle.get(i);
                String where = "round " + round + " instruction " + i + " " + e.opcode();
                assertEquals(offset, o.byteOffset(), where);
                assertEquals(offset, offsets.get(i), where);
                assertEquals(e.opcode().code(), o.opcode(), where);
                assertEquals(e.opcode().pipe().ordinal(), o.pipe(), where);
                assertEquals(e.sync(), o.sync(), where);
                assertArrayEquals(e.operands(), o.operands(), where);
                assertEquals(e.opcode(), read.get(i).opcode(), where);
                assertEquals(e.sync(), read.get(i).sync(), where);
                assertArrayEquals(e.operands(), read.get(i).operands(), where);
                offset += o.length() * 8;
            }
            assertEquals(program.byteSize(), offset);
            TestDecoder.Header header = TestDecoder.header(program.words());
            assertEquals(slots, header.slots());
            assertEquals(stages, header.stages());
            assertEquals(program.codeWords(), header.codeWords());
        }
    }

    /** Writes {@code op} with random in-range operands (a repeat count small enough to fit 31 words). */
    private static Expected write(ProgramWriter w, Random random, Opcode op) {
        int sync = op.pipe() == Pipe.CONTROL ? 0 : random.nextInt(1 << 16);
        Layout layout = op.layout();
        List<Long> values = new ArrayList<>();
        int total = layout.fixed().size();
        for (int i = 0; i < total; i++) {
            Operand kind = layout.kind(i);
            // Tiles stay small so the header's 32-bit total of up to 3 stages cannot overflow.
            long value = i == layout.repeatCountIndex() ? random.nextInt(40)
                    : kind == Operand.TILES ? random.nextLong(1L << 30)
                    : kind.bits() == 64 ? random.nextLong() : random.nextLong(1L << kind.bits());
            if (i == layout.repeatCountIndex()) {
                total += (int) value;
            }
            values.add(value);
        }
        long[] operands = values.stream().mapToLong(Long::longValue).toArray();
        w.begin(op, sync);
        for (long v : operands) {
            w.operand(v);
        }
        w.end();
        return new Expected(op, sync, operands);
    }
}
