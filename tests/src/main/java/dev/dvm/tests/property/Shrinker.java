package dev.dvm.tests.property;

import java.util.stream.Stream;

/**
 * Proposes simpler variants of a failing value, most promising first. The harness keeps the first
 * variant that still fails and asks again, until none does (greedy shrinking).
 *
 * @param <T> the value type
 */
@FunctionalInterface
public interface Shrinker<T> {
    Stream<T> candidates(T value);

    /** A shrinker that proposes nothing. */
    static <T> Shrinker<T> none() {
        return v -> Stream.empty();
    }
}
