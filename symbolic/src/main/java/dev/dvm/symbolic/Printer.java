package dev.dvm.symbolic;

import dev.dvm.symbolic.Atom.Div;
import dev.dvm.symbolic.Atom.DivKind;
import dev.dvm.symbolic.Atom.Extremum;
import dev.dvm.symbolic.Atom.Symbol;

/**
 * Prints canonical expressions in the syntax {@link Parser} reads: terms in canonical order with
 * the constant last, coefficients after their monomial ({@code ceil(s / 128) * 128}), parentheses
 * only where precedence needs them or a reader would stumble.
 */
final class Printer {
    private Printer() {}

    static String print(SymInt e) {
        StringBuilder sb = new StringBuilder();
        append(sb, e);
        return sb.toString();
    }

    static String div(DivKind kind, SymInt n, SymInt d) {
        StringBuilder sb = new StringBuilder();
        appendDiv(sb, kind, n, d);
        return sb.toString();
    }

    private static void append(StringBuilder sb, SymInt e) {
        if (e.isConstant()) {
            sb.append(e.constant);
            return;
        }
        for (int i = 0; i < e.monomials.length; i++) {
            long c = e.coeffs[i];
            boolean negative = c < 0 && c != Long.MIN_VALUE;
            if (i == 0) {
                sb.append(negative ? "-" : "");
            } else {
                sb.append(negative ? " - " : " + ");
            }
            long shown = negative ? -c : c;
            appendMonomial(sb, e.monomials[i], shown == 1 && !(i == 0 && negative));
            if (shown != 1) {
                sb.append(" * ").append(shown);
            }
        }
        if (e.constant != 0) {
            sb.append(e.constant < 0 && e.constant != Long.MIN_VALUE ? " - " : " + ");
            sb.append(e.constant < 0 && e.constant != Long.MIN_VALUE ? -e.constant : e.constant);
        }
    }

    /** {@code alone}: the monomial is a whole term with coefficient 1, so a bare {@code %} is safe. */
    private static void appendMonomial(StringBuilder sb, Monomial m, boolean alone) {
        for (int k = 0; k < m.atoms.length; k++) {
            if (k > 0) {
                sb.append(" * ");
            }
            Atom a = m.atoms[k];
            boolean wrap = a instanceof Div d && d.kind() == DivKind.MOD && !(alone && m.atoms.length == 1 && m.powers[0] == 1);
            sb.append(wrap ? "(" : "");
            appendAtom(sb, a);
            sb.append(wrap ? ")" : "");
            if (m.powers[k] != 1) {
                sb.append('^').append(m.powers[k]);
            }
        }
    }

    private static void appendAtom(StringBuilder sb, Atom a) {
        switch (a) {
            case Symbol s -> sb.append(s.name());
            case Div d -> appendDiv(sb, d.kind(), d.numerator(), d.divisor());
            case Extremum e -> {
                sb.append(e.max() ? "max(" : "min(");
                for (int i = 0; i < e.args().size(); i++) {
                    sb.append(i > 0 ? ", " : "");
                    append(sb, e.args().get(i));
                }
                sb.append(')');
            }
        }
    }

    private static void appendDiv(StringBuilder sb, DivKind kind, SymInt n, SymInt d) {
        if (kind == DivKind.MOD) {
            appendOperand(sb, n);
            sb.append(" % ");
            appendOperand(sb, d);
        } else {
            sb.append(kind == DivKind.FLOOR ? "floor(" : "ceil(");
            appendOperand(sb, n);
            sb.append(" / ");
            appendOperand(sb, d);
            sb.append(')');
        }
    }

    /** An operand of {@code /} or {@code %}: bare when it is a non-negative constant or one plain atom. */
    private static void appendOperand(StringBuilder sb, SymInt e) {
        boolean simple = e.isConstant() ? e.constant >= 0
                : e.constant == 0 && e.monomials.length == 1 && e.coeffs[0] == 1 && e.monomials[0].linearAtom() != null
                        && !(e.monomials[0].linearAtom() instanceof Div d && d.kind() == DivKind.MOD);
        sb.append(simple ? "" : "(");
        append(sb, e);
        sb.append(simple ? "" : ")");
    }
}
