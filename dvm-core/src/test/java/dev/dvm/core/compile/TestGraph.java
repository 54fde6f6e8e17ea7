package dev.dvm.core.compile;

import dev.dvm.core.ir.Shapes;
import dev.dvm.bytecode.Program;
import dev.dvm.bytecode.Verifier;
import dev.dvm.core.DType;
import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Instance;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Op;
import dev.dvm.vm.Bindings;
import dev.dvm.vm.Device;
import dev.dvm.vm.Executable;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** Builds ir graphs and instances by hand (shapes given or broadcast), compiles, verifies and runs them on F32 data. */
final class TestGraph {
    static final NpuSpec SPEC = new NpuSpec("test", 2, 128 * 1024, 256, 32, 8);

    private final List<Node> nodes = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<Node> inputs = new ArrayList<>();
    private final List<Node> outputs = new ArrayList<>();

    Node input(DType t, long... shape) {
        Node n = node(Op.INPUT, t, new Attrs.Input(inputs.size(), shape), shape);
        inputs.add(n);
        return n;
    }

    Node constant(DType t, double value) {
        return node(Op.CONST, t, new Attrs.Scalar(value, (long) value), new long[0]);
    }

    Node unary(Op op, Node x) {
        return node(op, x.dtype(), new Attrs.None(), shape(x), x);
    }

    Node binary(Op op, Node a, Node b) {
        DType t = op.kind() == Op.Kind.COMPARE ? DType.BOOL : a.dtype();
        return node(op, t, new Attrs.None(), broadcast(shape(a), shape(b)), a, b);
    }

    Node reduce(Op op, Node x, boolean keepDims, int... axes) {
        long[] in = shape(x);
        long[] out = new long[keepDims ? in.length : in.length - axes.length];
        int k = 0;
        for (int d = 0; d < in.length; d++) {
            boolean reduced = false;
            for (int a : axes) {
                reduced |= a == d;
            }
            if (!reduced || keepDims) {
                out[k++] = reduced ? 1 : in[d];
            }
        }
        return node(op, x.dtype(), new Attrs.Reduce(axes, keepDims), out, x);
    }

    Node node(Op op, DType t, Attrs attrs, long[] shape, Node... ins) {
        Node n = new Node(nodes.size(), op, List.of(ins), t, attrs);
        nodes.add(n);
        shapes.add(shape);
        return n;
    }

    Node output(Node x) {
        Node n = node(Op.STORE, x.dtype(), new Attrs.Output(outputs.size()), shape(x), x);
        outputs.add(n);
        return n;
    }

    long[] shape(Node n) {
        return shapes.get(n.id());
    }

    Instance instance() {
        long[][] in = new long[inputs.size()][];
        for (int i = 0; i < in.length; i++) {
            in[i] = Shapes.contiguousStrides(shape(inputs.get(i)));
        }
        long[][] out = new long[outputs.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Shapes.contiguousStrides(shape(outputs.get(i)));
        }
        return new Instance(new Graph("test", List.copyOf(nodes), List.copyOf(inputs), List.copyOf(outputs)), shapes.toArray(new long[0][]),
                in, out);
    }

    /** Compiles for {@code spec} and checks the program with the bytecode verifier. */
    Program compile(NpuSpec spec) {
        Program p = Compiler.compile(instance(), spec);
        Verifier.verify(p, spec.ubBytes(), spec.events());
        return p;
    }

    /** Compiles, verifies and runs on a checked device (events modelled); returns every output as floats. */
    float[][] run(NpuSpec spec, float[]... data) {
        Program p = compile(spec);
        Arena arena = Arena.ofAuto();
        Bindings b = new Bindings(p.slots());
        MemorySegment[] outs = new MemorySegment[outputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            MemorySegment s = arena.allocate(Math.max(4, data[i].length * 4L), 32);
            MemorySegment.copy(data[i], 0, s, ValueLayout.JAVA_FLOAT, 0, data[i].length);
            b.set(i, s, 0);
        }
        for (int i = 0; i < outs.length; i++) {
            outs[i] = arena.allocate(Math.max(4, count(shape(outputs.get(i))) * 4), 32);
            b.set(inputs.size() + i, outs[i], 0);
        }
        try (Device device = new Device(spec, new Device.Options(true, true))) {
            device.launch(Executable.of(p, spec), b);
        }
        float[][] result = new float[outs.length][];
        for (int i = 0; i < outs.length; i++) {
            result[i] = outs[i].asSlice(0, count(shape(outputs.get(i))) * 4).toArray(ValueLayout.JAVA_FLOAT);
        }
        return result;
    }

    static long count(long[] shape) {
        long c = 1;
        for (long d : shape) {
            c *= d;
        }
        return c;
    }

    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 1; i <= rank; i++) {
            long da = i <= a.length ? a[a.length - i] : 1;
            long db = i <= b.length ? b[b.length - i] : 1;
            out[rank - i] = da == 1 ? db : da;
        }
        return out;
    }

    static float[] ramp(int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = ((i * 37) % 101 - 50) * scale;
        }
        return x;
    }
}
