package dev.dvm.bytecode;

import java.util.ArrayList;
import java.util.List;

/**
 * An independent decoder used as an oracle. It is written from the bit layouts in the Javadoc of
 * {@link Isa} (header, head word) and {@link Operand} (packing rule) and takes from the library only
 * the instruction table's list of operand kinds; it shares no decoding code with
 * {@link ProgramReader} or {@link Layout#place}.
 */
final class TestDecoder {
    /** One decoded instruction. */
    record Instruction(int byteOffset, int pipe, int opcode, int length, int sync, long[] operands) {}

    /** The header fields, as the Isa Javadoc lays them out. */
    record Header(int magic, int version, int flags, long tiles, long codeWords, int simdWidth, int slots, int stages, long ubBytes) {}

    private TestDecoder() {}

    static Header header(long[] words) {
        return new Header((int) (words[0] >>> 32), (int) (words[0] >>> 16) & 0xFFFF, (int) words[0] & 0xFFFF,
                words[1] >>> 32, words[1] & 0xFFFF_FFFFL,
                (int) (words[2] >>> 48), (int) (words[2] >>> 32) & 0xFFFF, (int) (words[2] >>> 16) & 0xFFFF,
                words[3] >>> 32);
    }

    /** Decodes every instruction of the code that follows the header and the slot table. */
    static List<Instruction> decode(long[] words) {
        int pc = 4 + header(words).slots();
        List<Instruction> out = new ArrayList<>();
        while (pc < words.length) {
            Instruction instruction = decodeAt(words, pc);
            out.add(instruction);
            pc += instruction.length();
        }
        return out;
    }

    /** head: ext operand:32 | sync:16 | length:5 | opcode:8 | pipe:3, from the most significant bit. */
    static Instruction decodeAt(long[] words, int pc) {
        long head = words[pc];
        int pipe = (int) (head & 0b111);
        int opcode = (int) (head >> 3) & 0xFF;
        int length = (int) (head >> 11) & 0b11111;
        int sync = (int) (head >> 16) & 0xFFFF;
        Layout layout = Opcode.ofCode(opcode).layout();
        List<Long> operands = new ArrayList<>();
        // Packing: the next bit of the current word that is a multiple of the width, else the next word.
        int word = 0;
        int bit = 32;
        int total = layout.fixed().size();
        for (int i = 0; i < total; i++) {
            Operand kind = i < layout.fixed().size() ? layout.fixed().get(i) : layout.repeated();
            int width = kind.bits();
            if (bit % width != 0) {
                bit += width - bit % width;
            }
            if (bit + width > 64) {
                word++;
                bit = 0;
            }
            long raw = words[pc + word] >>> bit;
            long value = width == 64 ? raw : raw & ~(-1L << width);
            operands.add(value);
            bit += width;
            if (i == layout.repeatCountIndex()) {
                total += (int) value;
            }
        }
        return new Instruction(pc * 8, pipe, opcode, length, sync, operands.stream().mapToLong(Long::longValue).toArray());
    }
}
