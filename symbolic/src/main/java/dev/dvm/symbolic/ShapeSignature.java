package dev.dvm.symbolic;

import java.util.Arrays;

/**
 * The values of a binding set in symbol-name order, with a precomputed hash: a cache key for
 * "this program at these shapes". Two signatures are equal exactly when their bindings are.
 */
public final class ShapeSignature {
    private final String[] names;
    private final long[] values;
    private final int hash;

    ShapeSignature(String[] names, long[] values) {
        this.names = names;
        this.values = values;
        this.hash = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    /** The number of symbols. */
    public int size() {
        return values.length;
    }

    /** The value of the {@code i}-th symbol in name order. */
    public long value(int i) {
        return values[i];
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof ShapeSignature s && hash == s.hash && Arrays.equals(values, s.values)
                && (names == s.names || Arrays.equals(names, s.names));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** For example {@code s=37,t=8}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            sb.append(i > 0 ? "," : "").append(names[i]).append('=').append(values[i]);
        }
        return sb.toString();
    }
}
