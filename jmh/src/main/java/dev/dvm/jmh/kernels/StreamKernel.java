package dev.dvm.jmh.kernels;

/**
 * The two STREAM kernels of {@link StreamBench} and the bytes they move, counted as STREAM does
 * (each array read or written once per element; write-allocate traffic not counted). Kept apart
 * from the benchmark so that {@link Report} runs without the Vector API module.
 */
enum StreamKernel {
    /** c = a. */
    COPY(2),
    /** a = b + q·c. */
    TRIAD(3);

    /** Bytes of each array. */
    static final long ARRAY_BYTES = 64L << 20;

    private final int arrays;

    StreamKernel(int arrays) {
        this.arrays = arrays;
    }

    long bytesMoved() {
        return arrays * ARRAY_BYTES;
    }

    /** The benchmark method's name in {@link StreamBench}. */
    String method() {
        return name().toLowerCase();
    }
}
