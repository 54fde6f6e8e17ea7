package dev.dvm.bytecode;

/**
 * The pipes of a modelled NPU core. Instructions on one pipe retire in order; instructions on
 * different pipes are ordered only by the event flags in their head words (see {@link Sync}).
 */
public enum Pipe {
    /** Stage boundaries; no data is moved. */
    CONTROL,
    /** Memory transfer engine 2: global memory to unified buffer (loads). */
    MTE2,
    /** The vector unit: computes on unified-buffer tiles. */
    VECTOR,
    /** Memory transfer engine 3: unified buffer to global memory (stores). */
    MTE3,
    /** The cube unit: matrix products into UB (see {@link Opcode#MATMUL}); ordered with the vector unit by the MTE2 event pairs. */
    CUBE;

    private static final Pipe[] BY_CODE = values();

    /** The pipe with the given head-word code, or {@code null}. */
    public static Pipe ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
