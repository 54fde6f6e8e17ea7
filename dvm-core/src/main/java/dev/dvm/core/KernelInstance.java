package dev.dvm.core;

import dev.dvm.bytecode.Disassembler;
import dev.dvm.bytecode.Program;
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
    private final Kernel kernel;
    private final NpuSpec spec;
    private final Instance instance;
    private final Program program;
    private final Executable executable;
    private final long[][] inputShapes;
    private final long[][] outputShapes;
    /** Bindings are mutable: one per thread, reused across that thread's launches. */
    private final ThreadLocal<Bindings> bindings;
    private final boolean outputsContiguous;
    /** A thread that never runs: a segment it cannot access is confined to the thread that made it. */

    KernelInstance(Kernel kernel, NpuSpec spec, Instance instance, Program program, Executable executable) {
        this.kernel = kernel;
        this.spec = spec;
        this.instance = instance;
        this.program = program;
        this.executable = executable;
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
        boolean contiguous = true;
        for (int i = 0; i < nOut; i++) {
            contiguous &= Arrays.equals(instance.outputStrides()[i], Shapes.contiguousStrides(outputShapes[i]));
        }
        outputsContiguous = contiguous;
        int slots = program.slots();
        bindings = ThreadLocal.withInitial(() -> new Bindings(slots));
    }

    /** The kernel this is an instance of. */
    public Kernel kernel() {
        return kernel;
    }

    /** The spec it was tiled and verified for. */
    public NpuSpec spec() {
        return spec;
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
        return instance.inputStrides()[checkIndex("input", slot, inputShapes.length)].clone();
    }

    /** Element strides output {@code index} must have. */
    public long[] outputStrides(int index) {
        return instance.outputStrides()[checkIndex("output", index, outputShapes.length)].clone();
    }

    /** The shape of {@code v} in this instance. */
    public long[] shape(Value v) {
        if (v == null || v.owner != kernel.builder) {
            throw new DvmException("kernel '" + kernel.name() + "': " + v + " is not a value of this kernel; pass a value from its builder");
        }
        return instance.shape(v.node).clone();
    }

    /** The normalised graph (shapes of every node) the program was compiled from. */
    Instance instance() {
        return instance;
    }

    /** The verified program. */
    public Program program() {
        return program;
    }

    /** The program verified for {@link #spec()}, ready to launch. */
    public Executable executable() {
        return executable;
    }

    /** Tiles over all stages. */
    public long tiles() {
        return program.tiles();
    }

    /** Bytes of bytecode. */
    public int bytecodeBytes() {
        return program.byteSize();
    }

    /** One instruction a line. */
    public String disassemble() {
        return Disassembler.disassemble(program);
    }

    /**
     * Runs into caller-provided outputs; layouts must match the ones normalised for, outputs must
     * be writable (no broadcast views) and must not overlap the inputs or each other.
     */
    public void run(Device device, Tensor[] inputs, Tensor[] outputs) {
        kernel.checkDevice(device);
        kernel.checkTensors("input", inputs, inputShapes.length, true);
        kernel.checkTensors("output", outputs, outputShapes.length, false);
        for (int i = 0; i < inputs.length; i++) {
            checkLayout("input", i, inputs[i], inputShapes[i], instance.inputStrides()[i]);
        }
        for (int i = 0; i < outputs.length; i++) {
            Tensor out = outputs[i];
            if (out.isBroadcastView()) {
                throw new DvmException("kernel '" + kernel.name() + "' output " + i + ": the view with shape " + Arrays.toString(out.shape)
                        + " and strides " + Arrays.toString(out.strides) + " is a broadcast (stride 0) and not writable; pass a writable tensor");
            }
            checkLayout("output", i, out, outputShapes[i], instance.outputStrides()[i]);
            for (int j = 0; j < inputs.length; j++) {
                checkDisjoint(out, i, inputs[j], "input", j);
            }
            for (int j = 0; j < i; j++) {
                checkDisjoint(out, i, outputs[j], "output", j);
            }
        }
        Bindings b = bindings.get();
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            b.set(i, t.segment(), t.offset * t.dtype().byteSize());
        }
        int nIn = inputs.length;
        for (int i = 0; i < outputs.length; i++) {
            Tensor t = outputs[i];
            b.set(nIn + i, t.segment(), t.offset * t.dtype().byteSize());
        }
        try {
            device.launch(executable, b);
        } finally {
            // drop the references so a thread's bindings never keep an auto arena's memory alive
            for (int i = 0; i < nIn + outputs.length; i++) {
                b.clear(i);
            }
        }
    }

    /** Runs, allocating contiguous outputs in {@code arena}. */
    public Tensor[] run(Device device, Arena arena, Tensor... inputs) {
        if (arena == null) {
            throw new DvmException("kernel '" + kernel.name() + "': arena must not be null");
        }
        Tensor[] outputs = new Tensor[outputShapes.length];
        if (!outputsContiguous) {
            throw new DvmException("kernel '" + kernel.name() + "': this instance was normalised for strided outputs "
                    + Arrays.deepToString(instance.outputStrides()) + "; pass outputs of that layout to run(device, inputs, outputs)");
        }
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = Tensor.allocateUninitialized("run", arena, kernel.outputType(i), outputShapes[i]);
        }
        run(device, inputs, outputs);
        return outputs;
    }

    @Override
    public String toString() {
        return "KernelInstance[" + kernel.name() + ", inputs " + Arrays.deepToString(inputShapes) + ", " + program + "]";
    }

    private void checkLayout(String kind, int i, Tensor t, long[] shape, long[] strides) {
        if (!Arrays.equals(t.shape, shape)) {
            throw new DvmException("kernel '" + kernel.name() + "' " + kind + " " + i + ": shape " + Arrays.toString(t.shape)
                    + " but the instance was normalised for " + Arrays.toString(shape) + "; normalise again");
        }
        boolean empty = t.elementCount() == 0;
        for (int d = 0; d < shape.length && !empty; d++) {
            if (shape[d] != 1 && t.strides[d] != strides[d]) {
                throw new DvmException("kernel '" + kernel.name() + "' " + kind + " " + i + ": strides " + Arrays.toString(t.strides)
                        + " but the instance was normalised for " + Arrays.toString(strides) + " (shape " + Arrays.toString(shape)
                        + "); normalise again for this layout");
            }
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
