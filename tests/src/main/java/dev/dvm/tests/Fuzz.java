package dev.dvm.tests;

import dev.dvm.tests.property.KernelCase;
import dev.dvm.tests.property.KernelProperty;
import dev.dvm.tests.property.Property;
import java.util.SplittableRandom;

/**
 * {@code ./dvm fuzz}: runs the random-kernel property ({@link KernelProperty}) for many cases.
 *
 * <pre>
 *   Fuzz [--cases N] [--seed S] [--minutes M] [--max-ops K]
 * </pre>
 * Cases are seeded like the JUnit property (case i of seed S uses {@link Property#caseSeed}), so
 * a failure's case seed reproduces it with {@code --seed <case seed> --cases 1}. Failures are
 * shrunk and printed; fuzzing goes on after a failure. Exit code 1 when any case failed.
 */
public final class Fuzz {
    private Fuzz() {}

    public static void main(String[] args) {
        long cases = 10_000;
        long seed = System.nanoTime();
        double minutes = Double.POSITIVE_INFINITY;
        int maxOps = 12;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--cases" -> cases = Long.parseLong(need(args[i], value));
                case "--seed" -> seed = Long.decode(need(args[i], value));
                case "--minutes" -> minutes = Double.parseDouble(need(args[i], value));
                case "--max-ops" -> maxOps = Integer.parseInt(need(args[i], value));
                default -> {
                    System.err.println("usage: Fuzz [--cases N] [--seed S] [--minutes M] [--max-ops K]; unknown argument " + args[i]);
                    System.exit(2);
                }
            }
            i++;
        }
        System.out.println("fuzz: seed " + seed + ", up to " + cases + " cases" + (Double.isInfinite(minutes) ? "" : ", " + minutes + " minutes"));
        long deadline = Double.isInfinite(minutes) ? Long.MAX_VALUE : System.nanoTime() + (long) (minutes * 60e9);
        int failures = 0;
        long start = System.nanoTime();
        long ran = 0;
        try (KernelProperty kp = new KernelProperty()) {
            Property<KernelCase> property = kp.property(maxOps);
            for (int i = 0; i < cases && System.nanoTime() < deadline; i++) {
                long cs = Property.caseSeed(seed, i);
                KernelCase c = property.gen().generate(new SplittableRandom(cs));
                String failure = property.failureOf(c);
                ran++;
                if (failure != null) {
                    failures++;
                    System.out.println("FAIL " + property.shrink(seed, i, cs, c, failure));
                }
                if ((i + 1) % 100 == 0) {
                    System.out.printf("%d cases, %d failures, %.1f s%n", i + 1, failures, (System.nanoTime() - start) / 1e9);
                }
            }
        }
        System.out.printf("fuzz done: %d cases, %d failures, %.1f s (seed %d)%n", ran, failures, (System.nanoTime() - start) / 1e9, seed);
        System.exit(failures == 0 ? 0 : 1);
    }

    private static String need(String flag, String value) {
        if (value == null) {
            System.err.println(flag + " needs a value");
            System.exit(2);
        }
        return value;
    }
}
