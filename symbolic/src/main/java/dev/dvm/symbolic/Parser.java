package dev.dvm.symbolic;

import dev.dvm.symbolic.Atom.DivKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the syntax {@link Printer} writes, by recursive descent:
 *
 * <pre>
 * expr    := term (('+' | '-') term)*
 * term    := unary (('*' | '%' | '//') unary)*
 * unary   := '-' unary | power
 * power   := primary ('^' digits)?
 * primary := digits | name | '(' expr ')'
 *          | ('floor' | 'ceil') '(' expr '/' expr ')' | ('min' | 'max') '(' expr (',' expr)* ')'
 * </pre>
 *
 * A bare {@code /} is an error: integer division must say how it rounds.
 */
final class Parser {
    private static final Set<String> FUNCTIONS = Set.of("floor", "ceil", "min", "max");
    private final String text;
    private int pos;
    /** Whether a '/' ends the current expression: inside the numerator of floor(…) or ceil(…). */
    private boolean inNumerator;

    Parser(String text) {
        this.text = text;
    }

    static boolean isIdentifier(String s) {
        if (s == null || s.isEmpty() || FUNCTIONS.contains(s) || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_'))) {
                return false;
            }
        }
        return true;
    }

    SymInt parse() {
        SymInt e = expr();
        skipSpace();
        if (pos < text.length()) {
            throw error("unexpected '" + text.charAt(pos) + "'");
        }
        return e;
    }

    private SymInt expr() {
        SymInt e = term();
        while (true) {
            if (eat('+')) {
                e = e.plus(term());
            } else if (eat('-')) {
                e = e.minus(term());
            } else {
                return e;
            }
        }
    }

    private SymInt term() {
        SymInt e = unary();
        while (true) {
            if (eat('*')) {
                e = e.times(unary());
            } else if (eat('%')) {
                e = e.mod(unary());
            } else if (eatFloorDivOperator()) {
                e = e.floorDiv(unary());
            } else if (peek() == '/' && !inNumerator) {
                throw error("a bare '/' does not say how it rounds: write floor(a / b), ceil(a / b) or a // b");
            } else {
                return e;
            }
        }
    }

    private SymInt unary() {
        if (eat('-')) {
            skipSpace();
            // The one literal that only exists negated.
            if (text.startsWith("9223372036854775808", pos)) {
                pos += 19;
                return SymInt.of(Long.MIN_VALUE);
            }
            return unary().negate();
        }
        SymInt base = primary();
        if (eat('^')) {
            skipSpace();
            int start = pos;
            long exponent = digits();
            if (exponent > 64) {
                pos = start;
                throw error("exponent " + exponent + " is too large (at most 64)");
            }
            return base.pow((int) exponent);
        }
        return base;
    }

    private SymInt primary() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("expected a number, a symbol, '(' or a function, found the end");
        }
        char c = text.charAt(pos);
        if (Character.isDigit(c)) {
            return SymInt.of(digits());
        }
        if (eat('(')) {
            SymInt e = nested(false);
            expect(')');
            return e;
        }
        if (Character.isLetter(c) || c == '_') {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            String name = text.substring(start, pos);
            return switch (name) {
                case "floor", "ceil" -> {
                    expect('(');
                    SymInt n = nested(true);
                    expect('/');
                    SymInt d = nested(false);
                    expect(')');
                    yield n.divide(name.equals("floor") ? DivKind.FLOOR : DivKind.CEIL, d);
                }
                case "min", "max" -> {
                    expect('(');
                    List<SymInt> args = new ArrayList<>();
                    do {
                        args.add(nested(false));
                    } while (eat(','));
                    expect(')');
                    yield SymInt.extremum(name.equals("max"), args);
                }
                default -> SymInt.symbol(name);
            };
        }
        throw error("expected a number, a symbol, '(' or a function, found '" + c + "'");
    }

    private SymInt nested(boolean numerator) {
        boolean outer = inNumerator;
        inNumerator = numerator;
        SymInt e = expr();
        inNumerator = outer;
        return e;
    }

    private long digits() {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("expected digits");
        }
        try {
            return Long.parseLong(text, start, pos, 10);
        } catch (NumberFormatException e) {
            String number = text.substring(start, pos);
            pos = start;
            throw error("the number " + number + " is out of the long range");
        }
    }

    private boolean eatFloorDivOperator() {
        skipSpace();
        if (text.startsWith("//", pos)) {
            pos += 2;
            return true;
        }
        return false;
    }

    private char peek() {
        skipSpace();
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private boolean eat(char c) {
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == c && !(c == '/' && text.startsWith("//", pos))) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!eat(c)) {
            throw error("expected '" + c + "'");
        }
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("cannot parse '" + text + "' at column " + (pos + 1) + ": " + what);
    }
}
