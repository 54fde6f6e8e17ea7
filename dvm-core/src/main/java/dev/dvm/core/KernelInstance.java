package dev.dvm.core;

import dev.dvm.bytecode.Disassembler;
import dev.dvm.bytecode.Program;
import dev.dvm.core.compile.Encoder;
import dev.dvm.core.ir.Instance;
import dev.dvm.core.ir.Shapes;
import dev.dvm.vm.Bindings;
import dev.dvm.vm.Device;
import dev.dvm.vm.Executable;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.Arrays;

/**
 * A kernel normalised for concrete input layouts: every shape known, tiled and encoded to
 * verified bytecode. Immutable and thread-safe; run it as often as you like with tensors of the
 * layouts it was normalised for.
 *
 * <p>Outputs must not overlap any input or each other (checked on the address ranges the tensors
 * span, so even interleaved views that share no element are rejected): tiles read inputs and
 * write outputs in an order a kernel does not promise, so in-place updates are not supported.
 * Tensors of a confined arena ({@link Arena#ofConfined()}) can be bound only to launches that stay
 * on the caller's thread (one core); otherwise use a shared, auto or global arena.
 */
public final class KernelInstance {
    /** Bytes of an object header plus a reference, with compressed oops: for {@link #retainedBytes()}. */
    private static final int HEADER = 12;
    private static final int REF = 4;
    /** Bytes of the method reference the executable keeps as its program source: a header and this instance's reference. */
    private static final int METHOD_REF = 16;

    private final Kernel kernel;
    /** Encodes this instance's program again when asked for it: the instance keeps only the executable. */
    private final Encoder encoder;
    private final Executable executable;
    private final int bytecodeBytes;
    private final long[][] inputShapes;
    private final long[][] inputStrides;
    private final long[][] outputShapes;
    private final long[][] outputStrides;
    private final boolean outputsContiguous;
    private final boolean contiguous;
    private final long retainedBytes;

    /** Encodes {@code instance} with {@code encoder} (the kernel's for one spec). */
    KernelInstance(Kernel kernel, Encoder encoder, Instance instance) {
        this.kernel = kernel;
        this.encoder = encoder;
        Encoder.Encoded encoded = encoder.encode(instance, this::program);
        this.executable = encoded.executable();
        this.bytecodeBytes = encoded.program().byteSize();
        int nIn = kernel.inputCount();
        int nOut = kernel.outputCount();
        inputShapes = new long[nIn][];
        for (int i = 0; i < nIn; i++) {
            inputShapes[i] = instance.shape(instance.graph().inputs().get(i));
        }
        outputShapes = new long[nOut][];
        for (int i = 0; i < nOut; i++) {
            outputShapes[i] = instance.shape(instance.graph().outputs().get(i));
        }
        inputStrides = instance.inputStrides();
        outputStrides = instance.outputStrides();
        boolean outs = true;
        for (int i = 0; i < nOut; i++) {
            outs &= Shapes.isContiguous(outputShapes[i], outputStrides[i]);
        }
        boolean ins = true;
        for (int i = 0; i < nIn; i++) {
            ins &= Shapes.isContiguous(inputShapes[i], inputStrides[i]);
        }
        outputsContiguous = outs;
        contiguous = outs && ins;
        retainedBytes = encoded.retainedBytes() + METHOD_REF + HEADER + 7 * REF + 2 + 8 + 4
                + descriptorBytes(inputShapes) + descriptorBytes(inputStrides) + descriptorBytes(outputShapes) + descriptorBytes(outputStrides);
    }

    /** An array of long arrays: its header, references and each long array. */
    private static long descriptorBytes(long[][] arrays) {
        long bytes = HEADER + 4 + (long) REF * arrays.length;
        for (long[] a : arrays) {
            bytes += HEADER + 4 + 8L * a.length;
        }
        return bytes;
    }

    /** The kernel this is an instance of. */
    public Kernel kernel() {
        return kernel;
    }

    /** The spec it was tiled and verified for. */
    public NpuSpec spec() {
        return encoder.spec();
    }

    /** Shape of input {@code slot}. */
    public long[] inputShape(int slot) {
        return inputShapes[checkIndex("input", slot, inputShapes.length)].clone();
    }

    /** Shape of output {@code index}. */
    public long[] outputShape(int index) {
        return outputShapes[checkIndex("output", index, outputShapes.length)].clone();
    }

    /** Element strides input {@code slot} must have. */
    public long[] inputStrides(int slot) {
        return inputStrides[checkIndex("input", slot, inputShapes.length)].clone();
    }

    /** Element strides output {@code index} must have. */
    public long[] outputStrides(int index) {
        return outputStrides[checkIndex("output", index, outputShapes.length)].clone();
    }

    /** The shape of {@code v} in this instance. */
    public long[] shape(Value v) {
        if (v == null || v.owner != kernel.builder) {
            throw new DvmException("kernel '" + kernel.name() + "': " + v + " is not a value of this kernel; pass a value from its builder");
        }
        return instance().shape(v.node).clone();
    }

    /** The normalised graph (shapes of every node), inferred again: instances keep only their input and output layouts. */
    Instance instance() {
        return ShapeInference.infer(kernel.graph, inputShapes, inputStrides, outputShapes, outputStrides);
    }

    /** Bytes this instance keeps: its program and executable's own part, and its layout descriptors. */
    long retainedBytes() {
        return retainedBytes;
    }

    /** Whether every input and output is contiguous (what a static kernel keeps). */
    boolean isContiguous() {
        return contiguous;
    }

    /**
     * The verified program, encoded again on each call (in microseconds): instances keep only their
     * executable, and encoding is deterministic, so it is equal to the program that was verified.
     */
    public Program program() {
        return encoder.program(instance());
    }

    /** The program verified for {@link #spec()}, ready to launch. */
    public Executable executable() {
        return executable;
    }

    /** Tiles over all stages. */
    public long tiles() {
        return executable.tiles();
    }

    /** Bytes of bytecode. */
    public int bytecodeBytes() {
        return bytecodeBytes;
    }

    /** One instruction a line. */
    public String disassemble() {
        return Disassembler.disassemble(program());
    }

    /**
     * Runs into caller-provided outputs; layouts must match the ones normalised for, outputs must
     * be writable (no broadcast views) and must not overlap the inputs or each other. Allocates
     * nothing (the bindings are the calling thread's).
     */
    public void run(Device device, Tensor[] inputs, Tensor[] outputs) {
        launch(device, inputs, outputs, LaunchScratch.current());
    }

    /** Runs, allocating contiguous outputs in {@code arena}. */
    public Tensor[] run(Device device, Arena arena, Tensor... inputs) {
        if (arena == null) {
            throw new DvmException("kernel '" + kernel.name() + "': arena must not be null");
        }
        if (!outputsContiguous) {
            throw new DvmException("kernel '" + kernel.name() + "': this instance was normalised for strided outputs "
                    + Arrays.deepToString(outputStrides) + "; pass outputs of that layout to run(device, inputs, outputs)");
        }
        Tensor[] outputs = new Tensor[outputShapes.length];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = Tensor.allocateUninitialized("run", arena, kernel.outputType(i), outputShapes[i]);
        }
        run(device, inputs, outputs);
        return outputs;
    }

    /** Checks the tensors, binds them to {@code scratch}'s bindings and runs; allocates nothing unless a recording wants the event. */
    void launch(Device device, Tensor[] inputs, Tensor[] outputs, LaunchScratch scratch) {
        kernel.checkDevice(device);
        kernel.checkTensors("input", inputs, inputShapes.length, true);
        kernel.checkTensors("output", outputs, outputShapes.length, false);
        for (int i = 0; i < inputs.length; i++) {
            checkLayout("input", i, inputs[i], inputShapes[i], inputStrides[i]);
        }
        launchChecked(device, inputs, outputs, scratch);
    }

    /**
     * {@link #launch} for a non-null device and tensors already checked (count, dtype, liveness)
     * whose input layouts are this instance's, as after a cache lookup: checks what the lookup key
     * does not cover (the outputs' shapes, writability and overlaps), binds and runs.
     */
    void launchChecked(Device device, Tensor[] inputs, Tensor[] outputs, LaunchScratch scratch) {
        for (int i = 0; i < outputs.length; i++) {
            Tensor out = outputs[i];
            if (out.isBroadcastView()) {
                throw new DvmException("kernel '" + kernel.name() + "' output " + i + ": the view with shape " + Arrays.toString(out.shape)
                        + " and strides " + Arrays.toString(out.strides) + " is a broadcast (stride 0) and not writable; pass a writable tensor");
            }
            checkLayout("output", i, out, outputShapes[i], outputStrides[i]);
            for (int j = 0; j < inputs.length; j++) {
                checkDisjoint(out, i, inputs[j], "input", j);
            }
            for (int j = 0; j < i; j++) {
                checkDisjoint(out, i, outputs[j], "output", j);
            }
        }
        Bindings b = scratch.bindings(executable.slots());
        int nIn = inputs.length;
        for (int i = 0; i < nIn; i++) {
            Tensor t = inputs[i];
            b.set(i, t.segment(), t.offset * t.dtype().byteSize());
        }
        for (int i = 0; i < outputs.length; i++) {
            Tensor t = outputs[i];
            b.set(nIn + i, t.segment(), t.offset * t.dtype().byteSize());
        }
        LaunchEvent event = Tracing.launches() ? new LaunchEvent() : null;
        long start = event != null ? System.nanoTime() : 0;
        try {
            device.launch(executable, b);
        } finally {
            // drop the references so a thread's bindings never keep an auto arena's memory alive
            for (int i = 0; i < nIn + outputs.length; i++) {
                b.clear(i);
            }
        }
        kernel.launched();
        if (event != null && event.shouldCommit()) {
            event.kernel = kernel.name();
            event.tiles = executable.tiles();
            event.cores = device.coresFor(executable);
            event.micros = (System.nanoTime() - start) / 1_000;
            event.commit();
        }
    }

    /** Whether these tensors have exactly the layouts this instance was normalised for (no checks beyond that). */
    boolean accepts(Tensor[] inputs, Tensor[] outputs) {
        if (inputs == null || inputs.length != inputShapes.length || outputs == null || outputs.length != outputShapes.length) {
            return false;
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null || !layoutMatches(inputs[i], inputShapes[i], inputStrides[i])) {
                return false;
            }
        }
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i] == null || !layoutMatches(outputs[i], outputShapes[i], outputStrides[i])) {
                return false;
            }
        }
        return true;
    }

    /** Input and output layouts as text, for events and reports: {@code in0 [4, 256]:[256, 1], … -> out0 [4, 256]:[256, 1]}. */
    String signatureText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < inputShapes.length; i++) {
            sb.append(i == 0 ? "in" : ", in").append(i).append(' ').append(Arrays.toString(inputShapes[i])).append(':')
                    .append(Arrays.toString(inputStrides[i]));
        }
        sb.append(" ->");
        for (int i = 0; i < outputShapes.length; i++) {
            sb.append(i == 0 ? " out" : ", out").append(i).append(' ').append(Arrays.toString(outputShapes[i])).append(':')
                    .append(Arrays.toString(outputStrides[i]));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "KernelInstance[" + kernel.name() + ", inputs " + Arrays.deepToString(inputShapes) + ", " + bytecodeBytes + " bytes of bytecode, " + executable.tiles()
                + " tiles]";
    }

    /** Same shape, and the same strides wherever they matter (not along dims of size 1, not at all when empty). */
    private static boolean layoutMatches(Tensor t, long[] shape, long[] strides) {
        if (!Arrays.equals(t.shape, shape)) {
            return false;
        }
        if (t.elementCount() == 0) {
            return true;
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] != 1 && t.strides[d] != strides[d]) {
                return false;
            }
        }
        return true;
    }

    private void checkLayout(String kind, int i, Tensor t, long[] shape, long[] strides) {
        if (!Arrays.equals(t.shape, shape)) {
            throw new DvmException("kernel '" + kernel.name() + "' " + kind + " " + i + ": shape " + Arrays.toString(t.shape)
                    + " but the instance was normalised for " + Arrays.toString(shape) + "; normalise again");
        }
        if (!layoutMatches(t, shape, strides)) {
            throw new DvmException("kernel '" + kernel.name() + "' " + kind + " " + i + ": strides " + Arrays.toString(t.strides)
                    + " but the instance was normalised for " + Arrays.toString(strides) + " (shape " + Arrays.toString(shape)
                    + "); normalise again for this layout");
        }
    }

    /** Rejects {@code out} when the address range it spans meets the one {@code other} spans. */
    private void checkDisjoint(Tensor out, int outIndex, Tensor other, String otherKind, int otherIndex) {
        if (out.elementCount() == 0 || other.elementCount() == 0) {
            return;
        }
        long outLo = out.segment().address() + out.offset * out.dtype().byteSize();
        long outHi = outLo + span(out);
        long otherLo = other.segment().address() + other.offset * other.dtype().byteSize();
        long otherHi = otherLo + span(other);
        if (outLo < otherHi && otherLo < outHi) {
            throw new DvmException("kernel '" + kernel.name() + "' output " + outIndex + " overlaps " + otherKind + " " + otherIndex
                    + " in memory; in-place updates are not supported: write to a separate tensor");
        }
    }

    /** Bytes from element [0, …, 0] to the end of the last element the tensor reaches. */
    private static long span(Tensor t) {
        long last = 0;
        for (int d = 0; d < t.shape.length; d++) {
            last += (t.shape[d] - 1) * t.strides[d];
        }
        return (last + 1) * t.dtype().byteSize();
    }

    private int checkIndex(String kind, int i, int count) {
        if (i < 0 || i >= count) {
            throw new DvmException("kernel '" + kernel.name() + "': " + kind + " " + i + " does not exist; it has " + count + " " + kind + "s");
        }
        return i;
    }
}
