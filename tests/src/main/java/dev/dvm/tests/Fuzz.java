package dev.dvm.tests;

import dev.dvm.tests.property.KernelProperty;
import dev.dvm.tests.property.MatMulCaseGen;
import dev.dvm.tests.property.MatMulProperty;
import dev.dvm.tests.property.Property;
import dev.dvm.tests.realtime.ConcurrentLaunchWorkload;
import dev.dvm.tests.symbolic.SymbolicProperty;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * {@code ./dvm fuzz}: runs the random-kernel property ({@link KernelProperty}) and the symbolic
 * property ({@link SymbolicProperty}) for many cases, the matrix-product property
 * ({@link MatMulProperty}), or the concurrent-launch workload ({@link ConcurrentLaunchWorkload}) for
 * minutes.
 *
 * <pre>
 *   Fuzz [--target kernels|symbolic|matmul|realtime|all] [--cases N] [--seed S] [--minutes M] [--max-ops K] [--bindings B]
 * </pre>
 * {@code --target} defaults to {@code all}: the kernel property exactly as before (N cases of up to K
 * ops), then the symbolic property (N cases of B bindings each, default 64); with {@code --minutes}
 * each target gets an equal share of the time. Cases are seeded like the JUnit properties (case i of
 * seed S uses {@link Property#caseSeed}), so a failure's case seed reproduces it with {@code --target
 * <its target> --seed <case seed> --cases 1}. Failures are shrunk and printed; fuzzing goes on after a
 * failure. Exit code 1 when any case failed.
 *
 * <p>{@code --target matmul} (not part of {@code all}) runs N ordinary products ({@link
 * MatMulCaseGen.Size#ORDINARY}) against the reference on 1, 2 and 3 cores and the JIT.
 *
 * <p>{@code --target realtime} (not part of {@code all}, which stays kernels and symbolic) runs
 * {@value ConcurrentLaunchWorkload#THREADS} threads launching the demo kernels with random shapes on
 * one shared device for {@code --minutes} (1 when not given; {@code --cases} does not apply), and
 * prints every wrong result or stuck thread with its case seed.
 */
public final class Fuzz {
    private static final String USAGE =
            "usage: Fuzz [--target kernels|symbolic|matmul|realtime|all] [--cases N] [--seed S] [--minutes M] [--max-ops K] [--bindings B]";

    private Fuzz() {}

    public static void main(String[] args) {
        String target = "all";
        long cases = 10_000;
        long seed = System.nanoTime();
        double minutes = Double.POSITIVE_INFINITY;
        int maxOps = 12;
        int bindings = 64;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--target" -> target = need(args[i], value);
                case "--cases" -> cases = Long.parseLong(need(args[i], value));
                case "--seed" -> seed = Long.decode(need(args[i], value));
                case "--minutes" -> minutes = Double.parseDouble(need(args[i], value));
                case "--max-ops" -> maxOps = Integer.parseInt(need(args[i], value));
                case "--bindings" -> bindings = Integer.parseInt(need(args[i], value));
                default -> usageError("unknown argument " + args[i]);
            }
            i++;
        }
        boolean kernels = target.equals("kernels") || target.equals("all");
        boolean symbolic = target.equals("symbolic") || target.equals("all");
        if (target.equals("realtime")) {
            System.exit(realtime(seed, Double.isInfinite(minutes) ? 1 : minutes));
        }
        if (target.equals("matmul")) {
            System.out.println("fuzz matmul: seed " + seed + ", up to " + cases + " cases" + (Double.isInfinite(minutes) ? "" : ", " + minutes + " minutes"));
            try (MatMulProperty mp = new MatMulProperty()) {
                System.exit(run("matmul", mp.property(MatMulCaseGen.Size.ORDINARY), seed, cases, minutes) == 0 ? 0 : 1);
            }
        }
        if (!kernels && !symbolic) {
            usageError("unknown target " + target);
        }
        System.out.println("fuzz " + target + ": seed " + seed + ", up to " + cases + " cases" + (Double.isInfinite(minutes) ? "" : ", " + minutes + " minutes"));
        double share = minutes / (kernels && symbolic ? 2 : 1);
        int failures = 0;
        if (kernels) {
            try (KernelProperty kp = new KernelProperty()) {
                failures += run("kernels", kp.property(maxOps), seed, cases, share);
            }
        }
        if (symbolic) {
            SymbolicProperty sp = new SymbolicProperty();
            failures += run("symbolic", sp.property(bindings), seed, cases, share);
            System.out.print(sp.stats().summary());
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Runs up to {@code cases} cases of {@code property} for at most {@code minutes}; returns the number of failures. */
    private static <T> int run(String name, Property<T> property, long seed, long cases, double minutes) {
        long start = System.nanoTime();
        long deadline = Double.isInfinite(minutes) ? Long.MAX_VALUE : start + (long) (minutes * 60e9);
        int failures = 0;
        long ran = 0;
        long nextReport = start + 5_000_000_000L;
        for (int i = 0; i < cases && System.nanoTime() < deadline; i++) {
            long cs = Property.caseSeed(seed, i);
            T c = property.gen().generate(new SplittableRandom(cs));
            String failure = property.failureOf(c);
            ran++;
            if (failure != null) {
                failures++;
                System.out.println("FAIL " + property.shrink(seed, i, cs, c, failure));
            }
            if (System.nanoTime() > nextReport) {
                nextReport += 5_000_000_000L;
                System.out.printf("%s: %d cases, %d failures, %.1f s%n", name, i + 1, failures, (System.nanoTime() - start) / 1e9);
            }
        }
        System.out.printf("fuzz %s done: %d cases, %d failures, %.1f s (seed %d)%n", name, ran, failures, (System.nanoTime() - start) / 1e9, seed);
        return failures;
    }

    /** Runs the concurrent-launch workload for {@code minutes}; returns the exit code. */
    private static int realtime(long seed, double minutes) {
        System.out.println("fuzz realtime: seed " + seed + ", " + minutes + " minutes");
        try (ConcurrentLaunchWorkload workload = new ConcurrentLaunchWorkload()) {
            ConcurrentLaunchWorkload.Summary summary = workload.run(seed, Duration.ofNanos((long) (minutes * 60e9)));
            System.out.println(summary.report());
            return summary.failureCount() == 0 ? 0 : 1;
        }
    }

    private static void usageError(String problem) {
        System.err.println(USAGE + "; " + problem);
        System.exit(2);
    }

    private static String need(String flag, String value) {
        if (value == null) {
            System.err.println(flag + " needs a value");
            System.exit(2);
        }
        return value;
    }
}
