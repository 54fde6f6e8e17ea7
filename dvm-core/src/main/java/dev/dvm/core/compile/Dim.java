package dev.dvm.core.compile;

/**
 * A shape number of the front end (an extent, stride, offset or element count) as an entry of the
 * compile's {@link Tape}. It offers no value: every comparison is a {@link Tape} call that records
 * its outcome as a guard, and every arithmetic result is a new tape entry. So the front end cannot
 * decide anything from a shape without the decision being recorded, and a replay whose guards hold
 * takes the same path and computes the same numbers (decision 0005, step 3).
 *
 * <p>Dims are compared only through these methods; identity ({@code ==}) is a fact of the path
 * taken, never of the numbers, so it needs no guard.
 */
final class Dim {
    final Tape tape;
    /** Position on the tape; a replay reads the value it evaluated there. */
    final int index;

    Dim(Tape tape, int index) {
        this.tape = tape;
        this.index = index;
    }

    boolean isOne() {
        return tape.equal(this, tape.one);
    }

    boolean isZero() {
        return tape.equal(this, tape.zero);
    }

    boolean eq(Dim other) {
        return tape.equal(this, other);
    }

    boolean lt(Dim other) {
        return tape.less(this, other);
    }

    boolean gt(Dim other) {
        return tape.less(other, this);
    }

    boolean gt(long k) {
        return tape.less(tape.constant(k), this);
    }

    Dim plus(Dim other) {
        return tape.apply(Tape.ADD, this, other);
    }

    Dim minus(Dim other) {
        return tape.apply(Tape.SUB, this, other);
    }

    Dim times(Dim other) {
        return tape.apply(Tape.MUL, this, other);
    }

    Dim times(long k) {
        return tape.apply(Tape.MUL, this, tape.constant(k));
    }

    /** {@code this × k}, throwing {@link ArithmeticException} on overflow (a replay that would overflow takes the full path). */
    Dim timesExact(long k) {
        return tape.apply(Tape.MUL_EXACT, this, tape.constant(k));
    }

    /** {@code this / k} (long division; {@code k} is not 0). */
    Dim over(long k) {
        return tape.apply(Tape.DIV, this, tape.constant(k));
    }

    /** {@code k / this} (long division); callers have ruled out 0 with a recorded comparison first. */
    Dim dividing(long k) {
        return tape.apply(Tape.DIV, tape.constant(k), this);
    }

    /** {@code max(1, this)}: extents 0 and 1 count as 1 in contiguous strides. */
    Dim atLeastOne() {
        return lt(tape.one) ? tape.one : this;
    }

    /** Whether {@code a} and {@code b} have equal lengths and equal entries (comparisons recorded up to the first difference). */
    static boolean equal(Dim[] a, Dim[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!a[i].eq(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** The product of {@code dims} (1 when empty), wrapping like long arithmetic. */
    static Dim product(Tape tape, Dim[] dims) {
        Dim p = tape.one;
        for (Dim d : dims) {
            p = p == tape.one ? d : p.times(d);
        }
        return p;
    }

    /** Row-major element strides of {@code shape}, as {@link dev.dvm.core.ir.Shapes#contiguousStrides}. */
    static Dim[] contiguousStrides(Tape tape, Dim[] shape) {
        Dim[] s = new Dim[shape.length];
        Dim stride = tape.one;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = stride;
            if (d > 0) {
                stride = stride.times(shape[d].atLeastOne());
            }
        }
        return s;
    }

    /** Dims holding {@code values} as constants (numbers the back end made, never replayed). */
    static Dim[] constants(Tape tape, long[] values) {
        Dim[] d = new Dim[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = tape.constant(values[i]);
        }
        return d;
    }

    /** The value, for error messages only: reading it makes the compile's tape unusable for replay. */
    @Override
    public String toString() {
        return Long.toString(tape.opaque(this));
    }
}
