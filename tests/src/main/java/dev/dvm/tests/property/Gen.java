package dev.dvm.tests.property;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A seeded generator of test values: the property harness's replacement for a property-testing
 * library. Generation is a pure function of the {@link SplittableRandom} passed in, so a seed
 * reproduces a case exactly.
 *
 * @param <T> what it generates
 */
@FunctionalInterface
public interface Gen<T> {
    T generate(SplittableRandom random);

    default <U> Gen<U> map(Function<? super T, ? extends U> f) {
        return r -> f.apply(generate(r));
    }

    default <U> Gen<U> flatMap(Function<? super T, Gen<U>> f) {
        return r -> f.apply(generate(r)).generate(r);
    }

    /** A uniform int in {@code [lo, hi]}. */
    static Gen<Integer> ints(int lo, int hi) {
        return r -> r.nextInt(lo, hi + 1);
    }

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    static <T> Gen<T> oneOf(T... values) {
        List<T> copy = List.of(values);
        return r -> copy.get(r.nextInt(copy.size()));
    }

    /** Always {@code value}. */
    static <T> Gen<T> constant(T value) {
        return r -> value;
    }

    /** A generator chosen with probability proportional to its weight. */
    record Weighted<T>(int weight, Gen<T> gen) {}

    @SafeVarargs
    static <T> Gen<T> frequency(Weighted<T>... choices) {
        int total = 0;
        for (Weighted<T> w : choices) {
            total += w.weight();
        }
        int sum = total;
        return r -> {
            int pick = r.nextInt(sum);
            for (Weighted<T> w : choices) {
                pick -= w.weight();
                if (pick < 0) {
                    return w.gen().generate(r);
                }
            }
            throw new AssertionError("unreachable: weights sum to " + sum);
        };
    }

    /** A list of {@code min..max} elements. */
    static <T> Gen<List<T>> listOf(Gen<T> element, int min, int max) {
        return r -> {
            int n = r.nextInt(min, max + 1);
            List<T> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(element.generate(r));
            }
            return out;
        };
    }
}
