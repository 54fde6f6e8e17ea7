package dev.dvm.tests.symbolic;

import dev.dvm.tests.property.Shrinker;
import dev.dvm.tests.symbolic.Expr.Const;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Shrinks a failing {@link SymbolicCase}: fewer bindings (a prefix, which the seed keeps), simpler
 * expressions (subtrees, smaller constants; {@code c} first as it is only an operand), fewer facts, a
 * smaller divisor. Only candidates whose facts stay satisfiable are proposed.
 */
public final class SymbolicCaseShrinker implements Shrinker<SymbolicCase> {
    @Override
    public Stream<SymbolicCase> candidates(SymbolicCase c) {
        List<Supplier<Stream<SymbolicCase>>> steps = List.of(
                () -> c.bindingCount() > 1 ? Stream.of(c.withBindingCount(c.bindingCount() / 2)) : Stream.empty(),
                () -> c.c() instanceof Const ? Stream.empty() : Stream.of(c.withExprs(c.a(), c.b(), new Const(1))),
                () -> c.a().shrinks().map(x -> c.withExprs(x, c.b(), c.c())),
                () -> c.b().equals(c.a()) ? Stream.empty() : Stream.of(c.withExprs(c.a(), c.a(), c.c())),
                () -> c.b().shrinks().map(x -> c.withExprs(c.a(), x, c.c())),
                () -> c.c().shrinks().map(x -> c.withExprs(c.a(), c.b(), x)),
                () -> fewerFacts(c),
                () -> Math.abs(c.d()) > 2 || c.d() < 0 ? Stream.of(c.withDivisor(2)) : Stream.empty());
        return steps.stream().flatMap(Supplier::get).filter(x -> x.model().satisfiable());
    }

    private static Stream<SymbolicCase> fewerFacts(SymbolicCase c) {
        List<SymbolicCase> out = new ArrayList<>();
        for (int i = 0; i < c.facts().size(); i++) {
            List<FactSpec> rest = new ArrayList<>(c.facts());
            rest.remove(i);
            out.add(c.withFacts(rest));
        }
        return out.stream();
    }
}
