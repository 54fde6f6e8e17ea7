package dev.dvm.vm;

/**
 * The modelled NPU: how many cores, how large each core's unified buffer is, the vector repeat
 * and block sizes, and the events per pipe pair.
 *
 * @param name shown in reports
 * @param cores cores a launch may spread tiles over
 * @param ubBytes unified-buffer bytes per core
 * @param repeatBytes bytes one vector repeat covers (256 on Ascend)
 * @param blockBytes alignment of UB addresses and of a tile's row pitch (32)
 * @param events events per pipe pair (8)
 */
public record NpuSpec(String name, int cores, int ubBytes, int repeatBytes, int blockBytes, int events) {
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
    }

    /**
     * This CPU: one core per available processor, each with a 128 KiB unified buffer. The UB is a
     * per-core heap {@code int[]}; at 128 KiB it stays in this machine's L2 next to the tiles'
     * global-memory windows, and tiles of 1K–4K elements (what the tiler picks within this budget)
     * measured best for the interpreter. Repeats of 256 bytes over 32-byte blocks and 8 events per
     * pipe pair, as on Ascend.
     */
    public static NpuSpec host() {
        return new NpuSpec("host", Runtime.getRuntime().availableProcessors(), 128 * 1024, 256, 32, 8);
    }

    /**
     * The vector side of an Ascend 910B: 40 AI-vector (AIV) cores, each with a 192 KiB unified
     * buffer, 256-byte vector repeats over 32-byte blocks, 8 events per pipe pair (figures from
     * Huawei's CANN documentation of the 910B, as used by DVM's tiling).
     */
    public static NpuSpec ascend910b() {
        return new NpuSpec("ascend910b", 40, 192 * 1024, 256, 32, 8);
    }

    /** The same spec with another core count. */
    public NpuSpec withCores(int cores) {
        return new NpuSpec(name, cores, ubBytes, repeatBytes, blockBytes, events);
    }
}
