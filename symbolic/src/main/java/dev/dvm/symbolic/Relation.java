package dev.dvm.symbolic;

/** The comparison of a {@link Condition}: printed {@code ==}, {@code !=}, {@code <} and {@code <=}. */
public enum Relation {
    /** {@code lhs == rhs}. */
    EQ("=="),
    /** {@code lhs != rhs}. */
    NE("!="),
    /** {@code lhs < rhs}. */
    LT("<"),
    /** {@code lhs <= rhs}. */
    LE("<=");

    private final String symbol;

    Relation(String symbol) {
        this.symbol = symbol;
    }

    /** Whether the relation holds between two concrete values. */
    boolean test(long lhs, long rhs) {
        return switch (this) {
            case EQ -> lhs == rhs;
            case NE -> lhs != rhs;
            case LT -> lhs < rhs;
            case LE -> lhs <= rhs;
        };
    }

    /** The operator, for example {@code ==}. */
    @Override
    public String toString() {
        return symbol;
    }
}
