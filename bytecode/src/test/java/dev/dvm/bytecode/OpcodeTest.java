package dev.dvm.bytecode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpcodeTest {
    private static final Set<ElementType> COMPUTE_TYPES = EnumSet.of(ElementType.F32, ElementType.I32, ElementType.I64);

    @Test
    void codesAndMnemonicsAreUniqueAndLookUpTheirOpcode() {
        Set<Integer> codes = new HashSet<>();
        Set<String> mnemonics = new HashSet<>();
        for (Opcode op : Opcode.values()) {
            assertTrue(codes.add(op.code()), op + " code reused");
            assertTrue(mnemonics.add(op.mnemonic()), op + " mnemonic reused");
            assertTrue(op.code() > 0 && op.code() < 256, op.name());
            assertSame(op, Opcode.ofCode(op.code()));
        }
        for (int code = -1; code <= 256; code++) {
            if (!codes.contains(code)) {
                assertNull(Opcode.ofCode(code), "code " + code);
            }
        }
    }

    @Test
    void everyOpcodeEncodesAndDecodesBack() {
        for (Opcode op : Opcode.values()) {
            if (op.pipe() == Pipe.CONTROL) {
                continue; // STAGE and END wrap every other opcode below
            }
            ProgramWriter w = new ProgramWriter();
            Programs.stage(w, 1, 1, 8, 8, 1, 1, 8);
            w.begin(op, 0);
            Layout layout = op.layout();
            int count = layout.fixed().size();
            long[] values = new long[count + (layout.repeated() == null ? 0 : 2)];
            for (int i = 0; i < values.length; i++) {
                values[i] = i == layout.repeatCountIndex() ? 2 : i + 1;
                w.operand(values[i]);
            }
            w.end();
            Programs.end(w);
            var decoded = TestDecoder.decode(w.toProgram().words());
            assertEquals(3, decoded.size(), op.name());
            assertEquals(Opcode.STAGE.code(), decoded.get(0).opcode());
            assertEquals(Opcode.END.code(), decoded.get(2).opcode());
            TestDecoder.Instruction instruction = decoded.get(1);
            assertEquals(op.code(), instruction.opcode(), op.name());
            assertEquals(op.pipe().ordinal(), instruction.pipe(), op.name());
            assertEquals(layout.words(values.length), instruction.length(), op.name());
            assertArrayEquals(values, instruction.operands(), op.name());
        }
    }

    @Test
    void vectorOpcodesNameComputeTypesAndAResult() {
        for (Opcode op : Opcode.values()) {
            assertFalse(op.semantics().isBlank(), op.name());
            boolean vector = op.pipe() == Pipe.VECTOR;
            assertEquals(vector, op.layout() != Layout.STAGE && op.layout() != Layout.NONE && op.layout() != Layout.MEMORY
                    && op.layout() != Layout.MATMUL, op.name());
            if (vector && op != Opcode.CAST) {
                assertFalse(op.types().isEmpty(), op.name());
                assertTrue(COMPUTE_TYPES.containsAll(op.types()), op.name());
                assertTrue(op.result() != Opcode.Result.NONE, op.name());
            } else {
                assertTrue(op.types().isEmpty(), op.name());
                assertEquals(Opcode.Result.NONE, op.result(), op.name());
            }
        }
    }
}
