package dev.dvm.symbolic;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Concrete values for symbols ({@code n = 37}), immutable. Use {@link Facts#bind} to also check
 * the values against declared facts; {@link SymInt#evaluate} and {@link SymShape#evaluate} read
 * them.
 */
public final class Bindings {
    private static final Bindings EMPTY = new Bindings(new String[0], new long[0]);
    /** Sorted; parallel to {@link #values}. */
    private final String[] names;
    private final long[] values;

    private Bindings(String[] names, long[] values) {
        this.names = names;
        this.values = values;
    }

    /** No values. */
    public static Bindings empty() {
        return EMPTY;
    }

    /** One value. */
    public static Bindings of(String name, long value) {
        return of(Map.of(name, value));
    }

    /** Two values. */
    public static Bindings of(String name1, long value1, String name2, long value2) {
        return of(Map.of(name1, value1, name2, value2));
    }

    /** The values of a map (whose keys must be symbol names). */
    public static Bindings of(Map<String, Long> values) {
        TreeMap<String, Long> sorted = new TreeMap<>();
        values.forEach((name, value) -> {
            if (!Parser.isIdentifier(name)) {
                throw new IllegalArgumentException("cannot bind '" + name + "': not a symbol name");
            }
            if (value == null) {
                throw new IllegalArgumentException("cannot bind " + name + " to null");
            }
            sorted.put(name, value);
        });
        String[] n = sorted.keySet().toArray(new String[0]);
        long[] v = new long[n.length];
        int i = 0;
        for (long x : sorted.values()) {
            v[i++] = x;
        }
        return new Bindings(n, v);
    }

    /** The value of {@code name}. */
    public long value(String name) {
        int i = Arrays.binarySearch(names, name);
        if (i < 0) {
            throw new IllegalArgumentException("symbol " + name + " has no value: bound are " + (names.length == 0 ? "none" : String.join(", ", names))
                    + "; bind it, for example Bindings.of(\"" + name + "\", 1)");
        }
        return values[i];
    }

    /** Whether {@code name} has a value. */
    public boolean contains(String name) {
        return Arrays.binarySearch(names, name) >= 0;
    }

    /** The bound names, sorted. */
    public Set<String> names() {
        return new TreeSet<>(Arrays.asList(names));
    }

    /** These bindings with {@code name} set to {@code value}. */
    public Bindings with(String name, long value) {
        TreeMap<String, Long> m = toMap();
        m.put(name, value);
        return of(m);
    }

    TreeMap<String, Long> toMap() {
        TreeMap<String, Long> m = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return m;
    }

    /**
     * A compact key for these values, for caches keyed by shape: equal signatures mean equal bindings.
     */
    public ShapeSignature signature() {
        return new ShapeSignature(names, values.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bindings b && Arrays.equals(names, b.names) && Arrays.equals(values, b.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    /** For example {@code {s=37, t=8}}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        for (int i = 0; i < names.length; i++) {
            j.add(names[i] + "=" + values[i]);
        }
        return j.toString();
    }
}
