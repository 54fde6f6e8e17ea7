package dev.dvm.core;

import dev.dvm.vm.Device;
import java.util.Arrays;

/**
 * A reusable call of one kernel: set the input and output tensors, then {@link #run(Device)} as
 * often as you like. On a cache hit a run allocates nothing: the layout signature is computed
 * straight from the tensors into this object's scratch, the instance is looked up, the tensors
 * are bound to bindings this object keeps, and the device runs on the caller's thread (or its
 * cores). A static kernel ({@link Kernel#isStatic()}) skips the lookup after its first run and
 * only checks the layout.
 *
 * <pre>{@code
 * Launch call = kernel.newLaunch().input(0, x).input(1, y).output(0, out);
 * for (...) { call.run(device); }          // swap tensors with input(i, t) / output(i, t) between runs
 * }</pre>
 *
 * <p>Not thread-safe: keep one per thread or per call site. It holds references to the tensors set
 * on it until they are replaced or {@link #clear()}ed.
 */
public final class Launch {
    private final Kernel kernel;
    private final Tensor[] inputs;
    private final Tensor[] outputs;
    private final LaunchScratch scratch = new LaunchScratch();

    Launch(Kernel kernel) {
        this.kernel = kernel;
        this.inputs = new Tensor[kernel.inputCount()];
        this.outputs = new Tensor[kernel.outputCount()];
    }

    /** The kernel this call runs. */
    public Kernel kernel() {
        return kernel;
    }

    /** Sets input {@code slot} (checked against the kernel when it runs). */
    public Launch input(int slot, Tensor tensor) {
        inputs[checkIndex("input", slot, inputs.length)] = tensor;
        return this;
    }

    /** Sets output {@code index}, where the results go (checked against the kernel when it runs). */
    public Launch output(int index, Tensor tensor) {
        outputs[checkIndex("output", index, outputs.length)] = tensor;
        return this;
    }

    /** The tensor set for input {@code slot}, or null. */
    public Tensor input(int slot) {
        return inputs[checkIndex("input", slot, inputs.length)];
    }

    /** The tensor set for output {@code index}, or null. */
    public Tensor output(int index) {
        return outputs[checkIndex("output", index, outputs.length)];
    }

    /** Forgets every tensor, so this object no longer keeps their memory reachable. */
    public Launch clear() {
        Arrays.fill(inputs, null);
        Arrays.fill(outputs, null);
        return this;
    }

    /**
     * Runs the kernel on {@code device} with the tensors set, as {@link Kernel#run(Device, Tensor[], Tensor[])}
     * does: every input and output must be set, of the kernel's dtypes, alive, outputs writable and
     * disjoint from the inputs and each other. Allocates nothing when the instance is cached.
     */
    public void run(Device device) {
        kernel.launch(device, inputs, outputs, scratch);
    }

    /** The instance the current tensors' layouts select (normalised and encoded on a miss). */
    public KernelInstance instance(Device device) {
        kernel.checkDevice(device);
        return kernel.instanceFor(device.spec(), inputs, outputs, scratch);
    }

    @Override
    public String toString() {
        return "Launch[" + kernel.name() + ", inputs " + Arrays.toString(inputs) + ", outputs " + Arrays.toString(outputs) + "]";
    }

    private int checkIndex(String kind, int i, int count) {
        if (i < 0 || i >= count) {
            throw new DvmException("kernel '" + kernel.name() + "': " + kind + " " + i + " does not exist; it has " + count + " " + kind + "s");
        }
        return i;
    }
}
