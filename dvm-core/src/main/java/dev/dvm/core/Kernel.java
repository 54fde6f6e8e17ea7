package dev.dvm.core;

import dev.dvm.core.compile.Compiler;
import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Shapes;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Instance;
import dev.dvm.core.ir.Node;
import dev.dvm.bytecode.Program;
import dev.dvm.vm.Device;
import dev.dvm.vm.Executable;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A built kernel: a graph of meta-ops with dtypes and ranks fixed and dims possibly dynamic.
 * Thread-safe; {@link #normalize} it for concrete shapes, or {@link #run} it directly.
 *
 * <p>Instances are cached by spec and layout signature (input shapes and strides, output
 * strides), so running a kernel again with tensors of the same layouts does not compile again.
 */
public final class Kernel {
    /** Distinct layouts remembered per kernel before the cache starts over (dynamic shapes could grow it without bound). */
    private static final int CACHE_LIMIT = 256;

    final KernelBuilder builder;
    final Graph graph;
    private final ConcurrentHashMap<Signature, KernelInstance> instances = new ConcurrentHashMap<>();

    Kernel(KernelBuilder builder, Graph graph) {
        this.builder = builder;
        this.graph = graph;
    }

    /** The name given to the builder. */
    public String name() {
        return graph.name();
    }

    /** Always {@link KernelType#VECTOR} in this version. */
    public KernelType type() {
        return KernelType.VECTOR;
    }

    /** Number of input slots. */
    public int inputCount() {
        return graph.inputs().size();
    }

    /** Number of outputs. */
    public int outputCount() {
        return graph.outputs().size();
    }

    /** The dtype declared for input {@code slot}. */
    public DType inputType(int slot) {
        checkIndex("input", slot, inputCount());
        return graph.inputs().get(slot).dtype();
    }

    /** The dtype of output {@code index}. */
    public DType outputType(int index) {
        checkIndex("output", index, outputCount());
        return graph.outputs().get(index).dtype();
    }

    /** The dims declared for input {@code slot} (-1: dynamic). */
    public long[] inputDims(int slot) {
        checkIndex("input", slot, inputCount());
        return ((Attrs.Input) graph.inputs().get(slot).attrs()).dims().clone();
    }

    /** Infers every shape for these contiguous input shapes, tiles for {@code spec} and encodes verified bytecode. */
    public KernelInstance normalize(NpuSpec spec, long[]... inputShapes) {
        if (spec == null) {
            throw new DvmException("kernel '" + name() + "': normalize needs an NpuSpec, e.g. NpuSpec.host()");
        }
        if (inputShapes == null) {
            throw new DvmException("kernel '" + name() + "': input shapes must not be null");
        }
        Instance instance = ShapeInference.infer(graph, inputShapes, null, null, null);
        return instances(spec, signature(spec, instance), instance);
    }

    /**
     * Normalises for the inputs' and outputs' actual layouts (views with strides are fine); a null
     * {@code outputs} means contiguous outputs.
     */
    public KernelInstance normalize(NpuSpec spec, Tensor[] inputs, Tensor[] outputs) {
        if (spec == null) {
            throw new DvmException("kernel '" + name() + "': normalize needs an NpuSpec, e.g. NpuSpec.host()");
        }
        checkTensors("input", inputs, inputCount(), true);
        if (outputs != null) {
            checkTensors("output", outputs, outputCount(), false);
        }
        long[][] inShapes = new long[inputs.length][];
        long[][] inStrides = new long[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            inShapes[i] = inputs[i].shape();
            inStrides[i] = canonicalStrides(inputs[i]);
        }
        long[][] outShapes = null;
        long[][] outStrides = null;
        if (outputs != null) {
            outShapes = new long[outputs.length][];
            outStrides = new long[outputs.length][];
            for (int i = 0; i < outputs.length; i++) {
                outShapes[i] = outputs[i].shape();
                outStrides[i] = canonicalStrides(outputs[i]);
            }
        }
        Instance instance = ShapeInference.infer(graph, inShapes, inStrides, outShapes, outStrides);
        return instances(spec, signature(spec, instance), instance);
    }

    /** Runs on {@code device}, allocating contiguous outputs in {@code arena}. */
    public Tensor[] run(Device device, Arena arena, Tensor... inputs) {
        checkDevice(device);
        return normalize(device.spec(), inputs, null).run(device, arena, inputs);
    }

    /** Runs on {@code device} into caller-provided outputs (which may be strided views). */
    public void run(Device device, Tensor[] inputs, Tensor[] outputs) {
        checkDevice(device);
        if (outputs == null) {
            throw new DvmException("kernel '" + name() + "': outputs must not be null; use run(device, arena, inputs) to allocate them");
        }
        normalize(device.spec(), inputs, outputs).run(device, inputs, outputs);
    }

    /** The meta-op graph, one node a line, after a header naming the kernel and its input and output slots. */
    public String dump() {
        StringBuilder sb = new StringBuilder("kernel '").append(name()).append("' (").append(type().name().toLowerCase(Locale.ROOT)).append(")\n");
        for (Node in : graph.inputs()) {
            Attrs.Input a = (Attrs.Input) in.attrs();
            sb.append("  input ").append(a.slot()).append(": %").append(in.id()).append(' ').append(lower(in.dtype())).append(' ')
                    .append(Arrays.toString(a.dims())).append('\n');
        }
        for (int i = 0; i < graph.outputs().size(); i++) {
            Node out = graph.outputs().get(i);
            sb.append("  output ").append(i).append(" (slot ").append(inputCount() + i).append("): %").append(out.input(0).id()).append(' ')
                    .append(lower(out.dtype())).append('\n');
        }
        for (Node n : graph.nodes()) {
            sb.append(n);
            String attrs = attrs(n.attrs());
            if (!attrs.isEmpty()) {
                sb.append(" [").append(attrs).append(']');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The bytecode of the instance for these contiguous input shapes on {@link NpuSpec#host()}. */
    public String disassemble(long[]... inputShapes) {
        return normalize(NpuSpec.host(), inputShapes).disassemble();
    }

    @Override
    public String toString() {
        return "Kernel[" + name() + ", " + graph.nodes().size() + " nodes]";
    }

    // ---- internals ----

    private KernelInstance instances(NpuSpec spec, Signature key, Instance instance) {
        KernelInstance cached = instances.get(key);
        if (cached != null) {
            return cached;
        }
        Program program = Compiler.compile(instance, spec);
        KernelInstance made = new KernelInstance(this, spec, instance, program, Executable.of(program, spec));
        if (instances.size() >= CACHE_LIMIT) {
            instances.clear();
        }
        KernelInstance raced = instances.putIfAbsent(key, made);
        return raced != null ? raced : made;
    }

    /** Spec and layouts: what decides the program. */
    private record Signature(NpuSpec spec, long[] layout) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Signature s && s.spec.equals(spec) && Arrays.equals(s.layout, layout);
        }

        @Override
        public int hashCode() {
            return spec.hashCode() * 31 + Arrays.hashCode(layout);
        }
    }

    private Signature signature(NpuSpec spec, Instance instance) {
        int size = 0;
        for (int i = 0; i < inputCount(); i++) {
            size += 2 * instance.inputStrides()[i].length;
        }
        for (int i = 0; i < outputCount(); i++) {
            size += instance.outputStrides()[i].length;
        }
        long[] layout = new long[size];
        int k = 0;
        for (int i = 0; i < inputCount(); i++) {
            long[] shape = instance.shape(graph.inputs().get(i));
            System.arraycopy(shape, 0, layout, k, shape.length);
            k += shape.length;
            long[] strides = instance.inputStrides()[i];
            System.arraycopy(strides, 0, layout, k, strides.length);
            k += strides.length;
        }
        for (int i = 0; i < outputCount(); i++) {
            long[] strides = instance.outputStrides()[i];
            System.arraycopy(strides, 0, layout, k, strides.length);
            k += strides.length;
        }
        return new Signature(spec, layout);
    }

    /**
     * The tensor's strides with those of dims of size 1 (never stepped along) replaced by the
     * contiguous ones, and all contiguous for an empty tensor, so equal layouts compile once.
     */
    static long[] canonicalStrides(Tensor t) {
        long[] contiguous = Shapes.contiguousStrides(t.shape);
        if (t.elementCount() == 0) {
            return contiguous;
        }
        long[] s = t.strides.clone();
        for (int d = 0; d < s.length; d++) {
            if (t.shape[d] == 1) {
                s[d] = contiguous[d];
            }
        }
        return s;
    }

    /** Checks count, non-null, dtype and liveness of bound tensors. */
    void checkTensors(String kind, Tensor[] tensors, int expected, boolean input) {
        if (tensors == null || tensors.length != expected) {
            throw new DvmException("kernel '" + name() + "': " + (tensors == null ? "null" : tensors.length) + " " + kind + "s given but it has "
                    + expected + "; pass one tensor per " + kind);
        }
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (t == null) {
                throw new DvmException("kernel '" + name() + "' " + kind + " " + i + ": null tensor; pass a tensor");
            }
            DType want = input ? inputType(i) : outputType(i);
            if (t.dtype() != want) {
                throw new DvmException("kernel '" + name() + "' " + kind + " " + i + ": dtype " + t.dtype() + " but the kernel "
                        + (input ? "declared " : "produces ") + want + "; pass a " + want + " tensor");
            }
            if (!t.isAlive()) {
                throw new DvmException("kernel '" + name() + "' " + kind + " " + i + ": tensor used after its arena closed; keep the arena open");
            }
        }
    }

    void checkDevice(Device device) {
        if (device == null) {
            throw new DvmException("kernel '" + name() + "': device must not be null");
        }
    }

    private void checkIndex(String kind, int i, int count) {
        if (i < 0 || i >= count) {
            throw new DvmException("kernel '" + name() + "': " + kind + " " + i + " does not exist; it has " + count + " " + kind + "s");
        }
    }

    private static String lower(DType t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    private static String attrs(Attrs a) {
        return switch (a) {
            case Attrs.None none -> "";
            case Attrs.Input in -> "slot=" + in.slot() + ", dims=" + Arrays.toString(in.dims());
            case Attrs.Output out -> "output=" + out.index();
            case Attrs.Scalar s -> "value=" + (s.asDouble() == s.asLong() ? Long.toString(s.asLong()) : Double.toString(s.asDouble()));
            case Attrs.Shape s -> "dims=" + Arrays.toString(s.dims());
            case Attrs.Axes x -> "axes=" + Arrays.toString(x.axes());
            case Attrs.Slice s -> "begin=" + Arrays.toString(s.begin()) + ", end=" + Arrays.toString(s.end()) + ", step=" + Arrays.toString(s.step());
            case Attrs.Split s -> "axis=" + s.axis() + (s.sizes() == null ? ", parts=" + s.parts() : ", sizes=" + Arrays.toString(s.sizes()))
                    + ", index=" + s.index();
            case Attrs.Reduce r -> "axes=" + Arrays.toString(r.axes()) + ", keepDims=" + r.keepDims();
            case Attrs.OneHot o -> "depth=" + o.depth() + ", on=" + o.on() + ", off=" + o.off();
        };
    }
}
