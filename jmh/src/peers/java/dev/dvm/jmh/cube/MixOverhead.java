package dev.dvm.jmh.cube;

import dev.dvm.core.DType;
import dev.dvm.core.Launch;
import dev.dvm.core.Tensor;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Locale;

/**
 * The MIX kernel's cost over the plain product, measured in pairs: issue 6's target (at most 10%
 * more) is a ratio, and on a shared machine two JMH forks minutes apart differ by more than that.
 * For each M, the plain and the MIX {@link CubeKernel} run alternately on one core, with the JIT
 * tier OFF (the epilogue interpreted) and AUTO (the default: the epilogue compiled with the product
 * read from the UB); each round keeps every kernel's fastest launch of {@link #launches} (enough for
 * about 2·10⁹ FLOP each), and the table gives the median over the rounds of MIX ÷ plain.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.dvm.jmh.cube.MixOverhead [rounds, default 7]}
 */
public final class MixOverhead {
    private static final long[] MS = {1, 32, 512, 4096};
    private static final int WARM_UP_ROUNDS = 2;
    private static final double FLOP_PER_ROUND = 2e9;

    private MixOverhead() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, """

                ### MIX (bias + GELU) over the plain product, paired on one core (median of %d rounds, best launch per round)

                | M | plain, epilogue interpreted | MIX ÷ plain | plain, epilogue compiled | MIX ÷ plain |
                |---|---|---|---|---|
                """, rounds));
        try (Arena arena = Arena.ofShared();
                Device off = new Device(NpuSpec.host().withCores(1), Device.Options.defaults().withJit(JitMode.OFF));
                Device auto = new Device(NpuSpec.host().withCores(1), Device.Options.defaults().withJit(JitMode.AUTO))) {
            for (long m : MS) {
                Launch plain = launch(CubeKernel.MATMUL, m, arena), mix = launch(CubeKernel.MATMUL_BIAS_GELU, m, arena);
                int launches = (int) Math.max(5, FLOP_PER_ROUND / (2.0 * m * CubeKernel.K * CubeKernel.N));
                double[][] ratios = new double[2][rounds];
                long[][] plainBest = new long[2][rounds];
                for (int round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
                    for (int d = 0; d < 2; d++) {
                        Device device = d == 0 ? off : auto;
                        long p = Long.MAX_VALUE, x = Long.MAX_VALUE;
                        for (int i = 0; i < launches; i++) {
                            p = Math.min(p, time(plain, device));
                            x = Math.min(x, time(mix, device));
                        }
                        if (round >= WARM_UP_ROUNDS) {
                            ratios[d][round - WARM_UP_ROUNDS] = (double) x / p;
                            plainBest[d][round - WARM_UP_ROUNDS] = p;
                        }
                    }
                }
                out.append(String.format(Locale.ROOT, "| %d | %s | %.3f | %s | %.3f |%n", m, micros(median(plainBest[0])), median(ratios[0]),
                        micros(median(plainBest[1])), median(ratios[1])));
            }
        }
        System.out.print(out);
    }

    /** A launch of {@code kernel} for M = {@code m} over seeded inputs, output bound. */
    private static Launch launch(CubeKernel kernel, long m, Arena arena) {
        long[][] shapes = kernel.inputShapes(m);
        float[][] data = kernel.inputData(m);
        Launch launch = kernel.dvm4jKernel().newLaunch().output(0, Tensor.allocate(arena, DType.F32, m, CubeKernel.N));
        for (int slot = 0; slot < shapes.length; slot++) {
            launch.input(slot, Tensor.of(arena, data[slot], shapes[slot]));
        }
        return launch;
    }

    private static long time(Launch launch, Device device) {
        long start = System.nanoTime();
        launch.run(device);
        return System.nanoTime() - start;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
    }
}
