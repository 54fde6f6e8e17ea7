package dev.dvm.bytecode;

/** A program that breaks a rule of the format or of the verifier; names the byte offset and the rule. */
public final class MalformedProgramException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int byteOffset;
    private final String rule;

    /** A break of {@code rule} at {@code byteOffset}, with {@code detail} saying what was found and what is allowed. */
    public MalformedProgramException(int byteOffset, String rule, String detail) {
        super("malformed program at byte " + byteOffset + ": " + rule + ": " + detail);
        this.byteOffset = byteOffset;
        this.rule = rule;
    }

    /** Byte offset of the offending word from the start of the program. */
    public int byteOffset() {
        return byteOffset;
    }

    /** Short name of the rule broken, e.g. {@code ub-range}. */
    public String rule() {
        return rule;
    }
}
