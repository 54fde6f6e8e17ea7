package dev.dvm.tests.property;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Runs a property over seeded generated cases and shrinks the first failure.
 *
 * <p>Case {@code i} of a run with seed {@code s} is generated from {@link #caseSeed}{@code (s, i)},
 * and case 0 of seed {@code s} uses {@code s} itself, so a failing case is reproduced alone with
 * {@code -Ddvm.seed=<case seed> -Ddvm.cases=1}.
 *
 * @param name shown in failure reports
 * @param gen generates cases
 * @param shrinker proposes simpler cases
 * @param check returns {@code null} when the case passes, else a description of the failure
 *     (an exception thrown by it is a failure too)
 * @param describe prints a case readably
 * @param kind names the kind of a case's failure (what broke, and where); shrinking keeps only
 *     candidates that fail with the same kind, so a failure never shrinks into an unrelated one
 * @param <T> the case type
 */
public record Property<T>(String name, Gen<T> gen, Shrinker<T> shrinker, Function<T, String> check, Function<T, String> describe,
        BiFunction<T, String, String> kind) {
    /** Candidates tried while shrinking one failure, at most. */
    static final int MAX_SHRINK_ATTEMPTS = 400;

    /** A property whose failures are all of one kind. */
    public Property(String name, Gen<T> gen, Shrinker<T> shrinker, Function<T, String> check, Function<T, String> describe) {
        this(name, gen, shrinker, check, describe, (value, failure) -> "failure");
    }

    /** Seed of case {@code index} of a run with seed {@code seed}. */
    public static long caseSeed(long seed, int index) {
        return seed + index * 0x9E3779B97F4A7C15L;
    }

    /** {@code dvm.seed} if set, else {@code fallback}. */
    public static long seedProperty(long fallback) {
        String s = System.getProperty("dvm.seed");
        return s == null || s.isBlank() ? fallback : Long.decode(s.trim());
    }

    /** {@code dvm.cases} if set, else {@code fallback}. */
    public static int casesProperty(int fallback) {
        String s = System.getProperty("dvm.cases");
        return s == null || s.isBlank() ? fallback : Integer.parseInt(s.trim());
    }

    /** A failing case, before and after shrinking. */
    public record Failure<T>(String property, long seed, int caseIndex, long caseSeed, T original, String originalFailure,
            String kind, T shrunk, String shrunkFailure, int shrinkSteps, Function<T, String> describe) {
        @Override
        public String toString() {
            return "property '" + property + "' failed: seed " + seed + ", case " + caseIndex + " (case seed " + caseSeed
                    + "; rerun it alone with -Ddvm.seed=" + caseSeed + " -Ddvm.cases=1)\n"
                    + "--- failure kind: " + kind + "\n--- original case:\n" + describe.apply(original) + "\n--- failure:\n" + originalFailure + "\n"
                    + "--- shrunk case (" + shrinkSteps + " shrink steps):\n" + describe.apply(shrunk) + "\n--- failure:\n" + shrunkFailure;
        }
    }

    /** The failure of {@code value}, or {@code null} when it passes. */
    public String failureOf(T value) {
        try {
            return check.apply(value);
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            StringWriter sw = new StringWriter();
            e.printStackTrace(new PrintWriter(sw));
            String trace = sw.toString();
            String[] lines = trace.split("\n");
            StringBuilder sb = new StringBuilder("threw ");
            for (int i = 0; i < Math.min(lines.length, 12); i++) {
                sb.append(lines[i]).append('\n');
            }
            return sb.toString().stripTrailing();
        }
    }

    /** Runs cases {@code 0..cases-1} of {@code seed}; returns the first failure, shrunk, or {@code null}. */
    public Failure<T> run(long seed, int cases, IntConsumer progress) {
        for (int i = 0; i < cases; i++) {
            long cs = caseSeed(seed, i);
            T value = gen.generate(new SplittableRandom(cs));
            String failure = failureOf(value);
            if (failure != null) {
                return shrink(seed, i, cs, value, failure);
            }
            progress.accept(i);
        }
        return null;
    }

    /** Greedily shrinks a failing value while it keeps failing with the same {@link #kind}. */
    public Failure<T> shrink(long seed, int index, long caseSeed, T value, String failure) {
        String failureKind = kindOf(value, failure);
        T current = value;
        String currentFailure = failure;
        int steps = 0;
        int attempts = 0;
        boolean progressed = true;
        while (progressed && attempts < MAX_SHRINK_ATTEMPTS) {
            progressed = false;
            Iterator<T> it = shrinker.candidates(current).iterator();
            while (it.hasNext() && attempts < MAX_SHRINK_ATTEMPTS) {
                T candidate = it.next();
                attempts++;
                String f = failureOf(candidate);
                if (f != null && failureKind.equals(kindOf(candidate, f))) {
                    current = candidate;
                    currentFailure = f;
                    steps++;
                    progressed = true;
                    break;
                }
            }
        }
        return new Failure<>(name, seed, index, caseSeed, value, failure, failureKind, current, currentFailure, steps, describe);
    }

    /** The kind of {@code value}'s failure {@code failure}; a classifier that throws names its exception instead. */
    String kindOf(T value, String failure) {
        try {
            return kind.apply(value, failure);
        } catch (RuntimeException | AssertionError e) {
            return "unclassified: " + e;
        }
    }
}
