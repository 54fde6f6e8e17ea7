package dev.dvm.bytecode;

import java.util.Locale;

/**
 * Prints a program as stable text: a header block, one line per slot, then one line per
 * instruction with its byte offset in hex, mnemonic, operands by their layout names and its event
 * flags. Stage bodies are indented. UB addresses print in hex, types by name, scalars by their
 * type (float value for F32), flags by name and repeated operands as a list:
 *
 * <pre>
 *   0040      add dst=0x0800 a=0x0000 b=0x0400 n=256 type=f32  [wait=0 set=0 bwait=0 bset=0]
 * </pre>
 *
 * It prints whatever the {@link ProgramReader} can decode, verified or not: a type code that names
 * no type prints as {@code #code}.
 */
public final class Disassembler implements ProgramVisitor {
    private static final String[] SLOT_KINDS = {"input", "output", "workspace"};

    private final StringBuilder out = new StringBuilder();
    private boolean inStage;

    private Disassembler() {}

    /** The text of {@code program}; throws {@link MalformedProgramException} where it cannot be decoded. */
    public static String disassemble(Program program) {
        Disassembler disassembler = new Disassembler();
        new ProgramReader(program).accept(disassembler);
        return disassembler.out.toString();
    }

    @Override
    public void visitHeader(Program program) {
        out.append(String.format(Locale.ROOT, "magic 0x%08x version %d flags 0x%04x\n", program.magic(), program.version(), program.flags()));
        out.append("tiles ").append(program.tiles()).append('\n');
        out.append("stages ").append(program.stages()).append('\n');
        out.append("simd ").append(program.simdWidth()).append('\n');
        out.append("ub ").append(program.ubBytes()).append(" bytes\n");
    }

    @Override
    public void visitSlot(int slot, int kind, ElementType type, long bytes) {
        out.append("slot ").append(slot).append(' ')
                .append(kind < SLOT_KINDS.length ? SLOT_KINDS[kind] : "kind" + kind).append(' ')
                .append(typeName(type.code())).append(' ').append(bytes).append(" bytes\n");
    }

    @Override
    public void visitInstruction(int byteOffset, Opcode opcode, int sync, Operands operands) {
        if (opcode == Opcode.END) {
            inStage = false;
        }
        out.append(String.format(Locale.ROOT, "  %04x  ", byteOffset)).append(inStage ? "    " : "").append(opcode.mnemonic());
        Layout layout = opcode.layout();
        int fixed = layout.fixedCount();
        long type = -1;
        for (int i = 0; i < fixed; i++) {
            String name = layout.name(i);
            long value = operands.get(i);
            out.append(' ').append(name).append('=');
            switch (layout.kind(i)) {
                case UB -> out.append(String.format(Locale.ROOT, "0x%04x", value));
                case TYPE -> {
                    out.append(typeName(value));
                    type = value;
                }
                case FLAGS -> out.append(flags(opcode, value));
                case SCALAR -> out.append(scalar(type, value));
                default -> out.append(value);
            }
        }
        if (layout.repeated() != null) {
            out.append(' ').append(layout.repeated().label()).append("s=[");
            for (int i = fixed; i < operands.count(); i++) {
                out.append(i > fixed ? "," : "").append(operands.get(i));
            }
            out.append(']');
        }
        if (sync != Sync.NONE) {
            out.append("  [").append(Sync.toString(sync)).append(']');
        }
        out.append('\n');
        if (opcode == Opcode.STAGE) {
            inStage = true;
        }
    }

    private static String typeName(long code) {
        ElementType type = ElementType.ofCode(code);
        return type == null ? "#" + code : type.name().toLowerCase(Locale.ROOT);
    }

    /** Flag bits by name, joined with '|'; bits no name covers in hex; 0 when none are set. */
    private static String flags(Opcode opcode, long flags) {
        if (flags == 0) {
            return "0";
        }
        long named = switch (opcode.layout()) {
            case MEMORY -> Isa.FLAG_ROWS;
            case ROW_BINARY -> Isa.FLAG_ROW_LEFT;
            case BINARY_SCALAR -> Isa.FLAG_SCALAR_LEFT;
            default -> 0; // MATMUL defines no flags
        };
        StringBuilder sb = new StringBuilder();
        if ((flags & named) != 0) {
            sb.append(switch (opcode.layout()) {
                case MEMORY -> "rows";
                case ROW_BINARY -> "row_left";
                default -> "scalar_left";
            });
        }
        long rest = flags & ~named;
        if (rest != 0) {
            sb.append(sb.isEmpty() ? "" : "|").append("0x").append(Long.toHexString(rest));
        }
        return sb.toString();
    }

    /** A scalar operand decoded by the type operand before it: float value for F32, the integer otherwise. */
    private static String scalar(long typeCode, long bits) {
        ElementType type = ElementType.ofCode(typeCode);
        if (type == ElementType.F32) {
            return Float.toString(Float.intBitsToFloat((int) bits));
        }
        if (type == ElementType.I32) {
            return Integer.toString((int) bits);
        }
        return Long.toString(bits);
    }
}
