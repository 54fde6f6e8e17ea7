package dev.dvm.symbolic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable tensor shape of symbolic dims, such as {@code [b, s * 2, 4096]}. Equality is
 * structural on the dims' canonical forms and cheap (the hash is precomputed), which is what lets
 * {@link ShapeRules} settle identical shapes without the prover.
 *
 * <pre>{@code
 * SymShape x = SymShape.parse("[b, s * 2, 4096]");
 * long[] concrete = x.evaluate(Bindings.of("b", 2, "s", 64));  // [2, 128, 4096]
 * }</pre>
 */
public final class SymShape {
    private final SymInt[] dims;
    private final int hash;

    private SymShape(SymInt[] dims) {
        this.dims = dims;
        this.hash = Arrays.hashCode(dims);
    }

    /** The rank-0 shape of a scalar ({@code of()} alone would be ambiguous). */
    public static SymShape scalar() {
        return new SymShape(new SymInt[0]);
    }

    /** The shape with these dims. */
    public static SymShape of(SymInt... dims) {
        return owning(Objects.requireNonNull(dims, "shape: dims is null").clone());
    }

    /** The shape with these dims. */
    public static SymShape of(List<SymInt> dims) {
        return owning(Objects.requireNonNull(dims, "shape: dims is null").toArray(new SymInt[0]));
    }

    /** The shape with these constant dims. */
    public static SymShape of(long... dims) {
        Objects.requireNonNull(dims, "shape: dims is null");
        SymInt[] d = new SymInt[dims.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = SymInt.of(dims[i]);
        }
        return new SymShape(d);
    }

    /** A shape over {@code dims}, which the caller hands over and never changes again. */
    static SymShape owning(SymInt[] dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == null) {
                throw new NullPointerException("shape: dim " + i + " is null");
            }
        }
        return new SymShape(dims);
    }

    /**
     * Parses what {@link #toString} prints: {@code [d0, d1, ...]}, each dim in {@link SymInt#parse}
     * syntax. Only commas outside parentheses separate dims, so {@code [min(s, 8), t]} has rank 2.
     */
    public static SymShape parse(String text) {
        Objects.requireNonNull(text, "shape: text is null");
        String t = text.strip();
        if (t.length() < 2 || t.charAt(0) != '[' || t.charAt(t.length() - 1) != ']') {
            throw new IllegalArgumentException("cannot parse shape '" + text + "': write it in brackets, for example [b, s * 2, 4096]");
        }
        String body = t.substring(1, t.length() - 1);
        List<SymInt> dims = new ArrayList<>();
        if (!body.isBlank()) {
            int depth = 0, start = 0;
            for (int i = 0; i <= body.length(); i++) {
                char c = i < body.length() ? body.charAt(i) : ',';
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                if (c == ',' && depth == 0) {
                    String dim = body.substring(start, i);
                    if (dim.isBlank()) {
                        throw new IllegalArgumentException("cannot parse shape '" + text + "': dim " + dims.size() + " is empty");
                    }
                    dims.add(SymInt.parse(dim));
                    start = i + 1;
                }
            }
        }
        return new SymShape(dims.toArray(new SymInt[0]));
    }

    /** The number of dims. */
    public int rank() {
        return dims.length;
    }

    /** The dim at {@code axis}, in {@code [0, rank())}. */
    public SymInt dim(int axis) {
        if (axis < 0 || axis >= dims.length) {
            throw new IndexOutOfBoundsException("axis " + axis + " is out of range for " + this + " (rank " + dims.length + ")");
        }
        return dims[axis];
    }

    /** The dims, as an unmodifiable view. */
    public List<SymInt> dims() {
        return Collections.unmodifiableList(Arrays.asList(dims));
    }

    /** The number of elements: the product of the dims (1 for rank 0). */
    public SymInt numel() {
        SymInt n = SymInt.ONE;
        for (SymInt d : dims) {
            n = n.times(d);
        }
        return n;
    }

    /**
     * The concrete dims under {@code bindings}.
     *
     * @throws IllegalArgumentException when a symbol has no value
     * @throws ArithmeticException on division by zero or overflow
     */
    public long[] evaluate(Bindings bindings) {
        long[] out = new long[dims.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims[i].evaluate(bindings);
        }
        return out;
    }

    /** The names of every symbol the dims mention, sorted. */
    public Set<String> symbols() {
        Set<String> out = new TreeSet<>();
        for (SymInt d : dims) {
            out.addAll(d.symbols());
        }
        return out;
    }

    /** Structural equality of the dims' canonical forms. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof SymShape s && hash == s.hash && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** For example {@code [b, s * 2, 4096]}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i > 0 ? ", " : "").append(dims[i]);
        }
        return sb.append(']').toString();
    }
}
