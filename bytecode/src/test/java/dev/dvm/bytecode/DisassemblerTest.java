package dev.dvm.bytecode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DisassemblerTest {
    @Test
    void printsTheAddProgramExactly() {
        assertEquals("""
                magic 0x44564d42 version 1 flags 0x0000
                tiles 4
                stages 1
                simd 16
                ub 3072 bytes
                slot 0 input f32 4096 bytes
                slot 1 input f32 4096 bytes
                slot 2 output f32 4096 bytes
                  0038  stage tiles=4 words=15 rows=2 cols=128 pitch=128 rank=2 inner=1 dims=[4,256]
                  0060      load ub=0x0000 slot=0 type=f32 flags=0 rank=2 offset=0 strides=[256,1]  [bwait=0]
                  0080      load ub=0x0400 slot=1 type=f32 flags=0 rank=2 offset=0 strides=[256,1]  [set=0]
                  00a0      add dst=0x0800 a=0x0000 b=0x0400 n=256 type=f32  [wait=0 set=0 bwait=0 bset=0]
                  00b8      store ub=0x0800 slot=2 type=f32 flags=0 rank=2 offset=0 strides=[256,1]  [wait=0 bset=0]
                  00d8  end
                """, Disassembler.disassemble(Programs.add().program()));
    }

    @Test
    void namesFlagsTypesAndDecodesScalarsByType() {
        String mixed = Disassembler.disassemble(Programs.mixed().program());
        assertContains(mixed, "  0090      mul_s dst=0x0100 a=0x0080 n=32 type=f32 flags=scalar_left scalar=2.0\n");
        assertContains(mixed, "  00c8      cast dst=0x0200 src=0x0180 n=32 from=i32 to=f32\n");
        assertContains(mixed, "  00f8      fill dst=0x0300 n=32 type=f32 scalar=0.5\n");
        assertContains(mixed, "slot 0 input f16 64 bytes\n");
        String rowForm = Disassembler.disassemble(Programs.vector(0x220, Opcode.SUB_R, 0x000, 0x100, 0x200, 1, 64, ElementType.F32.code(),
                Isa.FLAG_ROW_LEFT).program());
        assertContains(rowForm, "sub_r dst=0x0000 a=0x0100 row=0x0200 rows=1 pitch=64 type=f32 flags=row_left\n");
        String reduce = Disassembler.disassemble(Programs.reduceRows().program());
        assertContains(reduce, "store ub=0x0400 slot=2 type=f32 flags=rows rank=2 offset=0 strides=[2,1]  [wait=0 bset=0]\n");
        assertContains(reduce, "slot 2 workspace f32 32 bytes\n");
        assertContains(reduce, "  00c8  stage tiles=1 words=11 rows=4 cols=2 pitch=8 rank=2 inner=1 dims=[4,2]\n");
        assertContains(fillLine(ElementType.I32.code(), 0xFFFF_FFFFL), "fill dst=0x0000 n=64 type=i32 scalar=-1\n");
        assertContains(fillLine(ElementType.I64.code(), -5), "fill dst=0x0000 n=64 type=i64 scalar=-5\n");
    }

    @Test
    void printsMatmulWithItsStrideCountApartFromItsStrides() {
        String matmul = Disassembler.disassemble(Programs.matmul().program());
        assertContains(matmul, "  0060      matmul dst=0x0000 a=0 atype=f32 b=1 btype=f16 flags=0 nstrides=4 k=5 ak=1 bk=7 aoffset=0 boffset=0 "
                + "groups=0 gtype=bool g=0 gstride=0 gspan=0 goffset=0 strides=[5,0,0,1]  [set=0 bwait=0]\n");
        // MATMUL names no flag: set bits print in hex, not as another layout's flag name
        String flagged = Disassembler.disassemble(Programs.matmul().patch(Programs.MM_MATMUL, 5, 3).program());
        assertContains(flagged, " flags=0x3 nstrides=4 ");
    }

    @Test
    void printsWhatTheVerifierWouldRejectWithoutFailing() {
        assertContains(fillLine(9, 3), "fill dst=0x0000 n=64 type=#9 scalar=3\n");
        Programs.Built add = Programs.add().patch(Programs.ADD_LOAD_A, 3, 3);
        assertContains(Disassembler.disassemble(add.program()), "flags=rows|0x2 ");
    }

    @Test
    void failsWhereTheReaderCannotDecode() {
        Program p = Programs.add().program();
        MalformedProgramException e = assertThrows(MalformedProgramException.class,
                () -> Disassembler.disassemble(Programs.withWord(p, 0, 0)));
        assertEquals("magic", e.rule());
    }

    private static String fillLine(long type, long scalar) {
        return Disassembler.disassemble(Programs.vector(0x100, Opcode.FILL, 0, 64, type, scalar).program());
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "missing <" + expected + "> in\n" + text);
    }
}
