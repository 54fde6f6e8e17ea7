package dev.dvm.vm;

/**
 * The modelled NPU: how many cores, how large each core's unified buffer is, the vector repeat
 * and block sizes, the events per pipe pair, and the cube unit's buffers: L1, where panels of the
 * operands are staged from global memory, L0A and L0B, which feed the products, and L0C, where
 * they accumulate. The cube buffers hold F32 panels here; they bound the cube's block sizes.
 *
 * @param name shown in reports
 * @param cores cores a launch may spread tiles over
 * @param ubBytes unified-buffer bytes per core
 * @param repeatBytes bytes one vector repeat covers (256 on Ascend)
 * @param blockBytes alignment of UB addresses and of a tile's row pitch (32)
 * @param events events per pipe pair (8)
 * @param l1Bytes cube L1 bytes per core
 * @param l0aBytes cube L0A bytes per core (left operand panels)
 * @param l0bBytes cube L0B bytes per core (right operand panels)
 * @param l0cBytes cube L0C bytes per core (accumulators)
 */
public record NpuSpec(String name, int cores, int ubBytes, int repeatBytes, int blockBytes, int events, int l1Bytes, int l0aBytes,
        int l0bBytes, int l0cBytes) {
    /** Smallest L0A, L0B or L0C a spec may declare: one 16 × 256 F32 panel. */
    public static final int MIN_L0_BYTES = 16 * 1024;
    /** Smallest unified buffer a spec may declare: room for a few 1K-element tiles. */
    public static final int MIN_UB_BYTES = 4096;

    public NpuSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("NpuSpec needs a name to show in reports");
        }
        if (cores < 1) {
            throw new IllegalArgumentException("NpuSpec " + name + ": cores = " + cores + ", need at least 1");
        }
        if (ubBytes < MIN_UB_BYTES || ubBytes % 32 != 0) {
            throw new IllegalArgumentException("NpuSpec " + name + ": ubBytes = " + ubBytes
                    + ", need a multiple of 32 bytes of at least " + MIN_UB_BYTES + " (at most 2^31 - 1)");
        }
        if (repeatBytes != 256) {
            throw new IllegalArgumentException("NpuSpec " + name + ": repeatBytes = " + repeatBytes + ", the modelled vector unit repeats over 256 bytes");
        }
        if (blockBytes != 32) {
            throw new IllegalArgumentException("NpuSpec " + name + ": blockBytes = " + blockBytes + ", the bytecode aligns UB to 32-byte blocks");
        }
        if (events < 1 || events > 8) {
            throw new IllegalArgumentException("NpuSpec " + name + ": events = " + events + ", need 1..8 events per pipe pair");
        }
        for (int bytes : new int[] {l0aBytes, l0bBytes, l0cBytes}) {
            if (bytes < MIN_L0_BYTES || bytes % 1024 != 0) {
                throw new IllegalArgumentException("NpuSpec " + name + ": L0A, L0B and L0C are " + l0aBytes + ", " + l0bBytes + " and " + l0cBytes
                        + " bytes; each needs a multiple of 1024 bytes of at least " + MIN_L0_BYTES);
            }
        }
        if (l1Bytes < l0aBytes + l0bBytes) {
            throw new IllegalArgumentException("NpuSpec " + name + ": l1Bytes = " + l1Bytes + " cannot stage the L0A and L0B panels ("
                    + (l0aBytes + l0bBytes) + " bytes); give L1 at least their sum");
        }
    }

    /**
     * A spec with the cube buffers of {@link #host()} (L1 1 MiB, L0A 64 KiB, L0B 128 KiB, L0C
     * 64 KiB), for specs that only vary the vector side.
     */
    public NpuSpec(String name, int cores, int ubBytes, int repeatBytes, int blockBytes, int events) {
        this(name, cores, ubBytes, repeatBytes, blockBytes, events, 1024 * 1024, 64 * 1024, 128 * 1024, 64 * 1024);
    }

    /**
     * This CPU: one core per available processor, each with a 128 KiB unified buffer. The UB is a
     * per-core heap {@code int[]}; at 128 KiB it stays in this machine's L2 next to the tiles'
     * global-memory windows, and tiles of 1K–4K elements (what the tiler picks within this budget)
     * measured best for the interpreter. Repeats of 256 bytes over 32-byte blocks and 8 events per
     * pipe pair, as on Ascend. The cube's L1 is this CPU's 1 MiB L2 per core; L0A and L0B hold a
     * 64 × 256 and a 256 × 128 F32 panel (L1d-sized micro-panels stream from them); L0C a 64 × 128
     * block of accumulators with room to spare.
     */
    public static NpuSpec host() {
        return new NpuSpec("host", Runtime.getRuntime().availableProcessors(), 128 * 1024, 256, 32, 8);
    }

    /**
     * The vector side of an Ascend 910B: 40 AI-vector (AIV) cores, each with a 192 KiB unified
     * buffer, 256-byte vector repeats over 32-byte blocks, 8 events per pipe pair (figures from
     * Huawei's CANN documentation of the 910B, as used by DVM's tiling); cube L1 512 KiB, L0A and
     * L0B 64 KiB, L0C 128 KiB.
     */
    public static NpuSpec ascend910b() {
        return new NpuSpec("ascend910b", 40, 192 * 1024, 256, 32, 8, 512 * 1024, 64 * 1024, 64 * 1024, 128 * 1024);
    }

    /** The same spec with another core count. */
    public NpuSpec withCores(int cores) {
        return new NpuSpec(name, cores, ubBytes, repeatBytes, blockBytes, events, l1Bytes, l0aBytes, l0bBytes, l0cBytes);
    }
}
