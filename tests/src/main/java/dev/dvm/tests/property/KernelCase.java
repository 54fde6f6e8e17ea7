package dev.dvm.tests.property;

import dev.dvm.core.DType;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.RefTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * One generated test case: a kernel, one or two sets of concrete input shapes it is normalised
 * for, and how its input data are made (a seed and a {@link DataMode}).
 *
 * @param spec the kernel
 * @param shapeSets per set, one concrete shape per input
 * @param dataSeed seeds the input values
 * @param data how values are drawn
 */
public record KernelCase(KernelSpec spec, List<List<long[]>> shapeSets, long dataSeed, DataMode data) {
    public KernelCase {
        shapeSets = shapeSets.stream().map(List::copyOf).toList();
    }

    /** How input values are drawn, from the most general to the simplest (the shrinker walks down). */
    public enum DataMode {
        /** Wide random values with a few specials (±0, NaN, ±inf, integer extremes). */
        RANDOM,
        /**
         * RANDOM without its float specials (NaN, ±inf, 1e30, 1e-40…; integers as RANDOM), for sums over
         * many elements, most of which a NaN or an infinity would otherwise decide.
         */
        FINITE,
        /** Small integers in [-3, 3] (and BOOL at random). */
        SMALL_INTEGERS,
        /** Ones everywhere. */
        ONES
    }

    /** Total elements over the inputs of every shape set. */
    public long inputElements() {
        return shapeSets.stream().flatMap(List::stream).mapToLong(RefTensor::count).sum();
    }

    /** The input tensors of shape set {@code set}. */
    public List<RefTensor> inputs(int set) {
        List<RefTensor> out = new ArrayList<>();
        List<long[]> shapes = shapeSets.get(set);
        for (int i = 0; i < shapes.size(); i++) {
            DType t = spec.inputs().get(i).dtype();
            SplittableRandom r = new SplittableRandom(dataSeed * 31 + i * 1_000_003L + set * 7_919L);
            int n = Math.toIntExact(RefTensor.count(shapes.get(i)));
            if (t == DType.F32 || t == DType.F16 || t == DType.BF16) {
                double[] v = new double[n];
                for (int k = 0; k < n; k++) {
                    v[k] = floatValue(r);
                }
                out.add(RefTensor.ofFloats(t, shapes.get(i), v));
            } else {
                long[] v = new long[n];
                for (int k = 0; k < n; k++) {
                    v[k] = intValue(t, r);
                }
                out.add(RefTensor.ofInts(t, shapes.get(i), v));
            }
        }
        return out;
    }

    private double floatValue(SplittableRandom r) {
        return switch (data) {
            case ONES -> 1;
            case SMALL_INTEGERS -> r.nextInt(-3, 4);
            case RANDOM, FINITE -> {
                // RANDOM's last 10 of 1000 are specials; FINITE never draws them.
                int p = r.nextInt(data == DataMode.FINITE ? 990 : 1000);
                if (p < 900) {
                    yield r.nextDouble(-4, 4);
                } else if (p < 950) {
                    yield r.nextInt(-4, 5) * 0.5;
                } else if (p < 990) {
                    yield r.nextDouble(-300, 300);
                } else {
                    yield new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e30, -7e4, 1e-40}[r.nextInt(8)];
                }
            }
        };
    }

    private long intValue(DType t, SplittableRandom r) {
        if (t == DType.BOOL) {
            return data == DataMode.ONES ? 1 : r.nextInt(2);
        }
        return switch (data) {
            case ONES -> 1;
            case SMALL_INTEGERS -> r.nextInt(-3, 4);
            case RANDOM, FINITE -> {
                int p = r.nextInt(100);
                if (p < 75) {
                    yield r.nextInt(-10, 11);
                } else if (p < 95) {
                    yield r.nextInt(-100_000, 100_001);
                } else if (t == DType.I32) {
                    yield new long[] {Integer.MAX_VALUE, Integer.MIN_VALUE, (1 << 24) + 1, -(1 << 30)}[r.nextInt(4)];
                } else {
                    yield new long[] {Long.MAX_VALUE, Long.MIN_VALUE, (1L << 53) + 1, 1L << 40, -(1L << 33)}[r.nextInt(5)];
                }
            }
        };
    }

    @Override
    public String toString() {
        String sets = shapeSets.stream()
                .map(s -> s.stream().map(Arrays::toString).collect(Collectors.joining(", ", "(", ")")))
                .collect(Collectors.joining("; "));
        return spec + "\n  shapes " + sets + "\n  data " + data + " seed " + dataSeed;
    }
}
