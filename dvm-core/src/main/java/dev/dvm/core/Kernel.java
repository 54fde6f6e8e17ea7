package dev.dvm.core;

import dev.dvm.core.compile.Encoder;
import dev.dvm.core.ir.Attrs;
import dev.dvm.core.ir.Graph;
import dev.dvm.core.ir.Instance;
import dev.dvm.core.ir.Node;
import dev.dvm.core.ir.Shapes;
import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A built kernel: a graph of meta-ops with dtypes and ranks fixed and dims possibly dynamic.
 * Thread-safe; {@link #normalize} it for concrete shapes, or {@link #run} it directly.
 *
 * <p>Instances are cached by spec and layout signature (input shapes and strides, output
 * strides) in a {@link KernelCache} ({@link KernelCache#shared()} unless {@link #useCache} says
 * otherwise), so running a kernel again with tensors of the same layouts does not encode again.
 * For launches that allocate nothing on a cache hit, keep a {@link Launch} ({@link #newLaunch()})
 * per thread or call site; {@link #run(Device, Tensor[], Tensor[])} allocates nothing on a hit
 * either, apart from the arrays the caller passes.
 *
 * <p>A kernel whose input dims are all known when built is {@linkplain #isStatic() static}: its
 * contiguous instance is encoded once per device spec (at the first launch or normalisation) and
 * kept outside the cache; later launches with contiguous tensors only check their shapes and bind
 * them.
 *
 * <p>Counters ({@link #stats()}) and JDK Flight Recorder events ({@code dev.dvm.Encode} per lookup,
 * {@code dev.dvm.Launch} per launch) report what the kernel does; the events cost nothing when no
 * recording enables them.
 */
public final class Kernel {
    private static final AtomicInteger PREPARED_IDS = new AtomicInteger();

    final KernelBuilder builder;
    final Graph graph;
    private final KernelType type;
    private final boolean isStatic;
    private volatile KernelCache cache = KernelCache.shared();
    /** One per device spec this kernel was normalised for; copied on write (specs are few). */
    private volatile Prepared[] prepared = new Prepared[0];
    private final LongAdder launches = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder encodes = new LongAdder();
    private final LongAdder encodeNanos = new LongAdder();

    Kernel(KernelBuilder builder, Graph graph, KernelType type) {
        this.builder = builder;
        this.graph = graph;
        this.type = type;
        boolean known = true;
        for (Node in : graph.inputs()) {
            for (long d : ((Attrs.Input) in.attrs()).dims()) {
                known &= d >= 0;
            }
        }
        this.isStatic = known;
    }

    /** The name given to the builder. */
    public String name() {
        return graph.name();
    }

    /** {@link KernelType#VECTOR}, or {@link KernelType#CUBE} / {@link KernelType#MIX} for a kernel holding a matrix product. */
    public KernelType type() {
        return type;
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

    /** Whether every input dim was known when the kernel was built: its contiguous instance is encoded once per spec. */
    public boolean isStatic() {
        return isStatic;
    }

    /** Keeps this kernel's instances in {@code cache} from now on (instances already cached elsewhere stay there); returns this kernel. */
    public Kernel useCache(KernelCache cache) {
        if (cache == null) {
            throw new DvmException("kernel '" + name() + "': cache must not be null; pass KernelCache.shared() or a new KernelCache(budgetBytes)");
        }
        this.cache = cache;
        return this;
    }

    /** The cache this kernel's instances go to. */
    public KernelCache cache() {
        return cache;
    }

    /** A reusable call of this kernel (set its tensors, then run it); keep one per thread or call site. */
    public Launch newLaunch() {
        return new Launch(this);
    }

    /** This kernel's counters so far (each read on its own: a snapshot under concurrent launches is approximate). */
    public Stats stats() {
        return new Stats(launches.sum(), hits.sum(), misses.sum(), evictions.sum(), encodes.sum(), encodeNanos.sum());
    }

    /**
     * A kernel's counters.
     *
     * @param launches launches that ran to completion
     * @param hits lookups answered by a cached (or a static kernel's kept) instance
     * @param misses lookups that had to normalise and encode
     * @param evictions instances of this kernel its caches dropped
     * @param encodes instances encoded (misses whose shapes were valid)
     * @param encodeNanos nanoseconds spent normalising and encoding them
     */
    public record Stats(long launches, long hits, long misses, long evictions, long encodes, long encodeNanos) {}

    /** Infers every shape for these contiguous input shapes, tiles for {@code spec} and encodes verified bytecode (or finds it cached). */
    public KernelInstance normalize(NpuSpec spec, long[]... inputShapes) {
        checkSpec(spec);
        if (inputShapes == null) {
            throw new DvmException("kernel '" + name() + "': input shapes must not be null");
        }
        boolean valid = inputShapes.length == inputCount();
        for (long[] shape : inputShapes) {
            valid &= shape != null;
        }
        if (!valid) {
            ShapeInference.infer(graph, inputShapes, null, null, null); // throws, naming the fix
        }
        LaunchScratch scratch = LaunchScratch.current();
        int length = 0;
        for (long[] shape : inputShapes) {
            length += 1 + 2 * shape.length;
        }
        length += outputCount();
        long[] layout = scratch.layout(length);
        int n = 0;
        for (long[] shape : inputShapes) {
            n = putInput(layout, n, shape, null, isEmpty(shape));
        }
        for (int i = 0; i < outputCount(); i++) {
            n = putOutput(layout, n, null);
        }
        Prepared p = prepared(spec);
        boolean traced = Tracing.encodes();
        KernelInstance hit = hit(p, layout, n, traced);
        if (hit != null) {
            return hit;
        }
        long start = System.nanoTime();
        return encode(p, layout, n, ShapeInference.infer(graph, inputShapes, null, null, null), start, traced);
    }

    /**
     * Normalises for the inputs' and outputs' actual layouts (views with strides are fine); a null
     * {@code outputs} means contiguous outputs.
     */
    public KernelInstance normalize(NpuSpec spec, Tensor[] inputs, Tensor[] outputs) {
        checkSpec(spec);
        return instanceFor(spec, inputs, outputs, LaunchScratch.current());
    }

    /** Runs on {@code device}, allocating contiguous outputs in {@code arena}. */
    public Tensor[] run(Device device, Arena arena, Tensor... inputs) {
        checkDevice(device);
        if (arena == null) {
            throw new DvmException("kernel '" + name() + "': arena must not be null; pass the arena the outputs should live in");
        }
        return instanceFor(device.spec(), inputs, null, LaunchScratch.current()).run(device, arena, inputs);
    }

    /**
     * Runs on {@code device} into caller-provided outputs (which may be strided views). Allocates
     * nothing when the instance is cached (or kept, for a static kernel).
     */
    public void run(Device device, Tensor[] inputs, Tensor[] outputs) {
        launch(device, inputs, outputs, LaunchScratch.current());
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

    // ---- internals: the launch path (allocation-free on a hit) ----

    /** What the kernel keeps per device spec: the encoder, and for a static kernel its contiguous instance. */
    static final class Prepared {
        final Kernel kernel;
        final NpuSpec spec;
        final Encoder encoder;
        /** Seeds the cache's hash, so equal layouts of different kernels spread. */
        final int identity = PREPARED_IDS.getAndIncrement() * 0x9E3779B9;
        volatile Pinned pinned;

        Prepared(Kernel kernel, NpuSpec spec) {
            this.kernel = kernel;
            this.spec = spec;
            this.encoder = Encoder.prepare(kernel.graph, spec);
        }
    }

    /** A static kernel's contiguous instance and its layout signature. */
    record Pinned(KernelInstance instance, long[] layout) {}

    Prepared prepared(NpuSpec spec) {
        Prepared[] ps = prepared;
        for (Prepared p : ps) {
            if (p.spec == spec) {
                return p;
            }
        }
        for (Prepared p : ps) {
            if (p.spec.equals(spec)) {
                return p;
            }
        }
        return prepareFor(spec);
    }

    private synchronized Prepared prepareFor(NpuSpec spec) {
        for (Prepared p : prepared) {
            if (p.spec.equals(spec)) {
                return p;
            }
        }
        Prepared p = new Prepared(this, spec);
        Prepared[] grown = Arrays.copyOf(prepared, prepared.length + 1);
        grown[grown.length - 1] = p;
        prepared = grown;
        return p;
    }

    /** Checks, finds (or encodes) the instance for these tensors' layouts, and runs it. */
    void launch(Device device, Tensor[] inputs, Tensor[] outputs, LaunchScratch scratch) {
        checkDevice(device);
        if (outputs == null) {
            throw new DvmException("kernel '" + name() + "': outputs must not be null; use run(device, arena, inputs) to allocate them");
        }
        checkTensors("input", inputs, inputCount(), true);
        checkTensors("output", outputs, outputCount(), false);
        Pinned pin = isStatic ? prepared(device.spec()).pinned : null;
        KernelInstance instance;
        if (pin != null && pin.instance.accepts(inputs, outputs)) {
            hits.increment();
            instance = pin.instance;
        } else {
            instance = lookup(device.spec(), inputs, outputs, scratch);
        }
        // The tensors are checked and their input layouts are the instance's (its key or accepts says so).
        instance.launchChecked(device, inputs, outputs, scratch);
    }

    /** The instance for the tensors' layouts: the signature is written into {@code scratch}, so a hit allocates nothing. */
    KernelInstance instanceFor(NpuSpec spec, Tensor[] inputs, Tensor[] outputs, LaunchScratch scratch) {
        checkTensors("input", inputs, inputCount(), true);
        if (outputs != null) {
            checkTensors("output", outputs, outputCount(), false);
        }
        return lookup(spec, inputs, outputs, scratch);
    }

    /** {@link #instanceFor} for tensors already checked. */
    private KernelInstance lookup(NpuSpec spec, Tensor[] inputs, Tensor[] outputs, LaunchScratch scratch) {
        int length = 0;
        for (Tensor t : inputs) {
            length += 1 + 2 * t.shape.length;
        }
        for (int i = 0; i < outputCount(); i++) {
            length += 2 + (outputs == null ? 0 : outputs[i].shape.length);
        }
        long[] layout = scratch.layout(length);
        int n = 0;
        for (Tensor t : inputs) {
            n = putInput(layout, n, t.shape, t.strides, t.elementCount() == 0);
        }
        for (int i = 0; i < outputCount(); i++) {
            n = putOutput(layout, n, outputs == null ? null : outputs[i]);
        }
        Prepared p = prepared(spec);
        boolean traced = Tracing.encodes();
        KernelInstance hit = hit(p, layout, n, traced);
        if (hit != null) {
            return hit;
        }
        long start = System.nanoTime();
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
        return encode(p, layout, n, instance, start, traced);
    }

    /**
     * Input layout: rank, dims, then canonical strides (those of size-1 dims, and all of an empty
     * tensor, replaced by the contiguous ones; null {@code strides} means contiguous).
     */
    private static int putInput(long[] layout, int at, long[] shape, long[] strides, boolean empty) {
        int rank = shape.length;
        layout[at] = rank;
        long contiguous = 1;
        for (int d = rank - 1; d >= 0; d--) {
            layout[at + 1 + d] = shape[d];
            layout[at + 1 + rank + d] = strides == null || empty || shape[d] == 1 ? contiguous : strides[d];
            contiguous *= Math.max(1, shape[d]);
        }
        return at + 1 + 2 * rank;
    }

    /**
     * Output layout: 0 for contiguous (allocated outputs, or caller outputs that are dense: one
     * instance serves both), else 1, the rank and the canonical strides. The shape is not part of
     * it: the inputs decide it, and a launch checks the outputs against the instance's.
     */
    private static int putOutput(long[] layout, int at, Tensor out) {
        if (out == null || out.isContiguous()) {
            layout[at] = 0;
            return at + 1;
        }
        int rank = out.shape.length;
        layout[at] = 1;
        layout[at + 1] = rank;
        long contiguous = 1;
        for (int d = rank - 1; d >= 0; d--) {
            layout[at + 2 + d] = out.shape[d] == 1 ? contiguous : out.strides[d];
            contiguous *= Math.max(1, out.shape[d]);
        }
        return at + 2 + rank;
    }

    private static boolean isEmpty(long[] shape) {
        for (long d : shape) {
            if (d == 0) {
                return true;
            }
        }
        return false;
    }

    /** The instance for the layout in {@code layout[0, n)} (its encode event emitted when traced), or null on a miss. */
    private KernelInstance hit(Prepared p, long[] layout, int n, boolean traced) {
        long start = traced ? System.nanoTime() : 0;
        KernelInstance hit = lookup(p, layout, n);
        return hit == null || !traced ? hit : traced(hit, true, start);
    }

    /** The kept or cached instance for this signature, or null; counts the hit or miss. */
    private KernelInstance lookup(Prepared p, long[] layout, int length) {
        Pinned pin = p.pinned;
        if (pin != null && Arrays.equals(pin.layout, 0, pin.layout.length, layout, 0, length)) {
            hits.increment();
            return pin.instance;
        }
        KernelInstance hit = cache.get(p, layout, length, KernelCache.hash(p, layout, length));
        if (hit != null) {
            hits.increment();
        } else {
            misses.increment();
        }
        return hit;
    }

    /** Encodes {@code instance} after a miss (timed from {@code start}) and keeps it: pinned when static and contiguous, else cached. */
    private KernelInstance encode(Prepared p, long[] layout, int length, Instance instance, long start, boolean traced) {
        KernelInstance made = new KernelInstance(this, p.encoder, instance);
        long nanos = System.nanoTime() - start;
        encodes.increment();
        encodeNanos.add(nanos);
        KernelInstance held;
        if (isStatic && made.isContiguous()) {
            synchronized (p) {
                if (p.pinned == null) {
                    p.pinned = new Pinned(made, Arrays.copyOf(layout, length));
                }
                held = p.pinned.instance;
            }
        } else {
            held = cache.put(p, layout, length, KernelCache.hash(p, layout, length), made, nanos);
        }
        return traced ? traced(held, false, start) : held;
    }

    /** Emits the encode event for a lookup that started at {@code start} (only while a recording enables it). */
    private KernelInstance traced(KernelInstance instance, boolean hit, long start) {
        EncodeEvent event = new EncodeEvent();
        if (event.shouldCommit()) {
            event.kernel = name();
            event.shape = instance.signatureText();
            event.hit = hit;
            event.micros = (System.nanoTime() - start) / 1_000;
            event.commit();
        }
        return instance;
    }

    void launched() {
        launches.increment();
    }

    void evicted() {
        evictions.increment();
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

    private void checkSpec(NpuSpec spec) {
        if (spec == null) {
            throw new DvmException("kernel '" + name() + "': normalize needs an NpuSpec, e.g. NpuSpec.host() or device.spec()");
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
            case Attrs.MatMul m -> "transA=" + m.transA() + ", transB=" + m.transB();
        };
    }
}
