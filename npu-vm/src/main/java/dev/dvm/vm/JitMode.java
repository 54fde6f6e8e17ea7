package dev.dvm.vm;

/**
 * Whether a {@link Device} runs hot stages through the JIT tier: stages of F32 elementwise chains
 * compiled into one fused vector loop per stage structure (see {@code docs/JIT.md}). Results are
 * bit-identical to the interpreter's in every mode; checked devices and devices on the scalar unit
 * always interpret.
 */
public enum JitMode {
    /** Interpret first; compile a stage in the background once it crosses the launch or element threshold. */
    AUTO,
    /** Compile each supported stage on its first launch, before running it (for tests). */
    FORCE,
    /** Always interpret. */
    OFF;

    /**
     * The mode named by system property {@code dvm.jit} ({@code auto}, {@code force} or {@code off});
     * AUTO when unset.
     */
    public static JitMode fromSystemProperty() {
        String name = System.getProperty("dvm.jit", "auto");
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property dvm.jit is '" + name + "'; give auto, force or off", e);
        }
    }
}
