package dev.dvm.vm;

/** A launch that cannot run: a missing or too small binding, a closed segment, or (checked mode) a hazard report. */
public class VmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VmException(String message) {
        super(message);
    }

    /** A launch that failed because of {@code cause}, e.g. an exception on a core worker. */
    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
