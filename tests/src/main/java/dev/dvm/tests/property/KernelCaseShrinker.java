package dev.dvm.tests.property;

import dev.dvm.core.DType;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.KernelSpec.InputSpec;
import dev.dvm.tests.reference.OpSpec;
import dev.dvm.tests.reference.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Shrinks a failing {@link KernelCase}: keep one shape set, drop outputs, bypass ops (a use of an
 * op's result is replaced by one of its operands), remove dead ops and unused inputs, shrink dims
 * toward 0/1/small, lower input ranks, simplify input dtypes to F32 and values to small integers
 * and ones. Only candidates the reference accepts as valid kernels are proposed.
 */
public final class KernelCaseShrinker implements Shrinker<KernelCase> {
    @Override
    public Stream<KernelCase> candidates(KernelCase c) {
        List<Supplier<Stream<KernelCase>>> steps = List.of(
                () -> oneShapeSet(c),
                () -> fewerOutputs(c),
                () -> bypassOps(c),
                () -> smallerDims(c),
                () -> lowerRanks(c),
                () -> simplerDtypes(c),
                () -> simplerData(c));
        return steps.stream().flatMap(Supplier::get).map(KernelCaseShrinker::pruned).filter(KernelCaseShrinker::valid);
    }

    private static Stream<KernelCase> oneShapeSet(KernelCase c) {
        if (c.shapeSets().size() < 2) {
            return Stream.empty();
        }
        return Stream.of(0, 1).map(i -> new KernelCase(c.spec(), List.of(c.shapeSets().get(i)), c.dataSeed(), c.data()));
    }

    private static Stream<KernelCase> fewerOutputs(KernelCase c) {
        List<Integer> outs = c.spec().outputs();
        if (outs.size() < 2) {
            return Stream.empty();
        }
        return outs.stream().map(o -> {
            List<Integer> rest = new ArrayList<>(outs);
            rest.remove(o);
            return withSpec(c, new KernelSpec(c.spec().name(), c.spec().inputs(), c.spec().ops(), rest));
        });
    }

    /** For op k (last first) and each operand of it: every use of k's result reads that operand instead. */
    private static Stream<KernelCase> bypassOps(KernelCase c) {
        KernelSpec s = c.spec();
        int nIn = s.inputs().size();
        List<KernelCase> out = new ArrayList<>();
        for (int k = s.ops().size() - 1; k >= 0; k--) {
            int id = nIn + k;
            for (int operand : new TreeSet<>(Arrays.stream(s.ops().get(k).operands()).boxed().toList())) {
                out.add(withSpec(c, replaceUses(s, id, operand)));
            }
        }
        return out.stream();
    }

    private static KernelSpec replaceUses(KernelSpec s, int id, int by) {
        List<OpSpec> ops = new ArrayList<>();
        for (OpSpec op : s.ops()) {
            int[] ids = op.operands();
            for (int i = 0; i < ids.length; i++) {
                ids[i] = ids[i] == id ? by : ids[i];
            }
            ops.add(op.withOperands(ids));
        }
        List<Integer> outs = new ArrayList<>();
        for (int o : s.outputs()) {
            int v = o == id ? by : o;
            if (!outs.contains(v)) {
                outs.add(v);
            }
        }
        return new KernelSpec(s.name(), s.inputs(), ops, outs);
    }

    /** Replaces each distinct dim value v > 1 by 0, 1, 2 or v/2 everywhere it occurs (declarations and shape sets). */
    private static Stream<KernelCase> smallerDims(KernelCase c) {
        TreeSet<Long> values = new TreeSet<>();
        c.shapeSets().forEach(set -> set.forEach(shape -> Arrays.stream(shape).forEach(values::add)));
        List<KernelCase> out = new ArrayList<>();
        for (long v : values.descendingSet()) {
            for (long w : new long[] {1, 0, 2, v / 2, v - 1}) {
                if (w >= v || w < 0 || (v <= 1 && w != 0)) {
                    continue;
                }
                List<InputSpec> inputs = c.spec().inputs().stream()
                        .map(in -> new InputSpec(in.dtype(), Arrays.stream(in.dims()).map(d -> d == v ? w : d).toArray()))
                        .toList();
                List<List<long[]>> sets = c.shapeSets().stream()
                        .map(set -> set.stream().map(shape -> Arrays.stream(shape).map(d -> d == v ? w : d).toArray()).toList())
                        .toList();
                out.add(new KernelCase(new KernelSpec(c.spec().name(), inputs, c.spec().ops(), c.spec().outputs()), sets, c.dataSeed(), c.data()));
            }
        }
        return out.stream();
    }

    /** Removes one axis of one input. */
    private static Stream<KernelCase> lowerRanks(KernelCase c) {
        List<KernelCase> out = new ArrayList<>();
        for (int i = 0; i < c.spec().inputs().size(); i++) {
            InputSpec in = c.spec().inputs().get(i);
            for (int d = 0; d < in.dims().length; d++) {
                List<InputSpec> inputs = new ArrayList<>(c.spec().inputs());
                inputs.set(i, new InputSpec(in.dtype(), drop(in.dims(), d)));
                int input = i;
                int axis = d;
                List<List<long[]>> sets = c.shapeSets().stream().map(set -> {
                    List<long[]> shapes = new ArrayList<>(set);
                    shapes.set(input, drop(set.get(input), axis));
                    return (List<long[]>) shapes;
                }).toList();
                out.add(new KernelCase(new KernelSpec(c.spec().name(), inputs, c.spec().ops(), c.spec().outputs()), sets, c.dataSeed(), c.data()));
            }
        }
        return out.stream();
    }

    private static long[] drop(long[] a, int i) {
        long[] out = new long[a.length - 1];
        System.arraycopy(a, 0, out, 0, i);
        System.arraycopy(a, i + 1, out, i, a.length - i - 1);
        return out;
    }

    private static Stream<KernelCase> simplerDtypes(KernelCase c) {
        List<KernelCase> out = new ArrayList<>();
        for (int i = 0; i < c.spec().inputs().size(); i++) {
            InputSpec in = c.spec().inputs().get(i);
            if (in.dtype() != DType.F32) {
                List<InputSpec> inputs = new ArrayList<>(c.spec().inputs());
                inputs.set(i, new InputSpec(DType.F32, in.dims()));
                out.add(withSpec(c, new KernelSpec(c.spec().name(), inputs, c.spec().ops(), c.spec().outputs())));
            }
        }
        return out.stream();
    }

    private static Stream<KernelCase> simplerData(KernelCase c) {
        return Arrays.stream(KernelCase.DataMode.values())
                .filter(m -> m.ordinal() > c.data().ordinal())
                .map(m -> new KernelCase(c.spec(), c.shapeSets(), c.dataSeed(), m));
    }

    private static KernelCase withSpec(KernelCase c, KernelSpec s) {
        return new KernelCase(s, c.shapeSets(), c.dataSeed(), c.data());
    }

    /** Drops ops no output depends on and inputs nothing reads, renumbering value ids. */
    static KernelCase pruned(KernelCase c) {
        KernelSpec s = c.spec();
        int nIn = s.inputs().size();
        boolean[] live = new boolean[s.valueCount()];
        s.outputs().forEach(o -> live[o] = true);
        for (int k = s.ops().size() - 1; k >= 0; k--) {
            if (live[nIn + k]) {
                for (int id : s.ops().get(k).operands()) {
                    live[id] = true;
                }
            }
        }
        int[] newId = new int[live.length];
        int next = 0;
        List<InputSpec> inputs = new ArrayList<>();
        List<Integer> keptInputs = new ArrayList<>();
        for (int i = 0; i < nIn; i++) {
            newId[i] = live[i] ? next++ : -1;
            if (live[i]) {
                inputs.add(s.inputs().get(i));
                keptInputs.add(i);
            }
        }
        if (inputs.isEmpty()) {
            // Keep one input: a kernel needs one.
            return c;
        }
        List<OpSpec> ops = new ArrayList<>();
        for (int k = 0; k < s.ops().size(); k++) {
            if (live[nIn + k]) {
                int[] ids = s.ops().get(k).operands();
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = newId[ids[i]];
                }
                ops.add(s.ops().get(k).withOperands(ids));
                newId[nIn + k] = next++;
            }
        }
        List<Integer> outputs = s.outputs().stream().map(o -> newId[o]).toList();
        List<List<long[]>> sets = c.shapeSets().stream().map(set -> keptInputs.stream().map(set::get).toList()).toList();
        return new KernelCase(new KernelSpec(s.name(), inputs, ops, outputs), sets, c.dataSeed(), c.data());
    }

    static boolean valid(KernelCase c) {
        try {
            for (List<long[]> set : c.shapeSets()) {
                ReferenceEvaluator.infer(c.spec(), set);
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
