package dev.dvm.tests;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.Tensor;
import dev.dvm.tests.reference.KernelSpec;
import dev.dvm.tests.reference.OpSpec;
import dev.dvm.tests.reference.RefTensor;
import dev.dvm.tests.reference.ReferenceEvaluator;
import dev.dvm.tests.reference.TensorBridge;
import dev.dvm.tests.reference.Tolerances;
import dev.dvm.vm.Device;
import dev.dvm.vm.Executable;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code ./dvm demo}: builds the {@link DemoKernels#demo demo kernels}, runs the five vector kernels
 * on {@code [s, 4096]} for s = 1, 7, 128, 1000, 4096 and the product with GELU (a MIX kernel) on
 * {@code x[s, 1024]} for s = {@link #MATMUL_ROWS}, on a {@code Device(NpuSpec.host())}, checks every
 * result row by row against the reference evaluator (within {@link Tolerances}), and prints, per
 * kernel and shape:
 * <ul>
 *   <li>encode time: {@code Kernel.normalize} (shape inference + tiling + codegen + verification)
 *       of a freshly built Kernel, so no cached instance is reused; the median of
 *       {@value #TIMED_ENCODES} after a warm-up;
 *   <li>run time: {@code KernelInstance.run} on the already normalised instance, steady state: after
 *       a warm-up of {@value #WARMUP_MILLIS} ms or {@value #WARMUP_CALLS} runs, whichever comes first, the
 *       median of {@value #TIMED_RUNS} runs;
 *   <li>GB/s (bytes read + written / run time), tiles, cores used and bytecode bytes; for the
 *       product, which its multiply-adds bound rather than memory, GFLOP/s (2·M·N·K / run time).
 * </ul>
 * Exit code 1 when any result did not match.
 */
public final class Demo {
    private Demo() {}

    static final long H = 4096;
    static final long[] ROWS = {1, 7, 128, 1000, 4096};
    /** Rows of the product's x[s, 1024]: each row costs 1024·1024 multiply-adds, in the kernel and in the reference. */
    static final long[] MATMUL_ROWS = {1, 7, 128, 1000};
    /** Warm-up of each timed operation, per kernel and shape: this long or {@link #WARMUP_CALLS} calls, whichever comes first. */
    static final long WARMUP_MILLIS = 400;
    static final int WARMUP_CALLS = 300;
    /** JIT warm-up before the table: every kernel is encoded and run on {@code WARMUP_ROWS} rows this long or this often. */
    static final long JIT_WARMUP_MILLIS = 1000;
    static final int JIT_WARMUP_CALLS = 1000;
    static final long WARMUP_ROWS = 7;
    static final int TIMED_RUNS = 9;
    static final int TIMED_ENCODES = 9;

    public static void main(String[] args) {
        Map<String, KernelSpec> kernels = DemoKernels.demo(H);
        NpuSpec spec = NpuSpec.host();
        Map<String, String> verdicts = new LinkedHashMap<>();
        System.out.printf("device: %s, %d cores, UB %d bytes%n", spec.name(), spec.cores(), spec.ubBytes());
        System.out.printf("encode µs: Kernel.normalize of a fresh Kernel (shape inference + tile + codegen + verify), median of %d after warm-up%n",
                TIMED_ENCODES);
        System.out.printf("run µs: KernelInstance.run, median of %d after a warm-up of %d ms or %d runs, whichever first%n",
                TIMED_RUNS, WARMUP_MILLIS, WARMUP_CALLS);
        System.out.printf("(first, to let the JIT compile the encoder and the VM: every kernel encoded and run on %d rows, %d ms or %d times each)%n",
                WARMUP_ROWS, JIT_WARMUP_MILLIS, JIT_WARMUP_CALLS);
        System.out.printf("%-13s %-12s %10s %10s %8s %7s %6s %9s  %s%n", "kernel", "shape", "encode µs", "run µs", "GB/s", "tiles", "cores", "bytecode", "check");
        try (Device device = new Device(spec)) {
            for (KernelSpec k : kernels.values()) {
                jitWarmUp(device, spec, k);
            }
            for (Map.Entry<String, KernelSpec> e : kernels.entrySet()) {
                boolean product = e.getValue().ops().stream().anyMatch(op -> op instanceof OpSpec.MatMul);
                for (long s : product ? MATMUL_ROWS : ROWS) {
                    String shape = Arrays.toString(DemoKernels.shapes(e.getValue(), s, H)[0]);
                    String verdict;
                    try {
                        verdict = runOne(device, spec, e.getKey(), e.getValue(), s);
                    } catch (RuntimeException ex) {
                        verdict = "ERROR " + ex;
                        System.out.printf("%-13s %-12s %s%n", e.getKey(), shape, verdict);
                    }
                    verdicts.merge(e.getKey(), verdict.equals("ok") ? "" : shape + ": " + verdict + "; ", String::concat);
                }
                verdicts.putIfAbsent(e.getKey(), "");
            }
        }
        boolean ok = true;
        for (Map.Entry<String, String> v : verdicts.entrySet()) {
            boolean match = v.getValue().isEmpty();
            ok &= match;
            System.out.println(v.getKey() + ": " + (match ? "every result matched the reference" : "MISMATCH " + v.getValue()));
        }
        System.exit(ok ? 0 : 1);
    }

    private static String runOne(Device device, NpuSpec npu, String name, KernelSpec spec, long s) {
        List<RefTensor> inputs = inputs(spec, s, 42 + s);
        long[][] shapes = inputs.stream().map(RefTensor::shape).toArray(long[][]::new);
        // A fresh Kernel per call: Kernel caches instances by layout, and a cached instance is not an encode.
        warmUp(() -> spec.build().kernel().normalize(npu, shapes));
        long[] encodes = new long[TIMED_ENCODES];
        KernelInstance instance = null;
        for (int i = 0; i < encodes.length; i++) {
            Kernel fresh = spec.build().kernel();
            long t0 = System.nanoTime();
            instance = fresh.normalize(npu, shapes);
            encodes[i] = System.nanoTime() - t0;
        }
        long encode = median(encodes);
        KernelInstance normalized = instance;
        try (Arena arena = Arena.ofShared()) {
            Tensor[] in = inputs.stream().map(t -> TensorBridge.toTensor(arena, t)).toArray(Tensor[]::new);
            Tensor[] out = {Tensor.allocate(arena, DType.F32, normalized.outputShape(0))};
            warmUp(() -> normalized.run(device, in, out));
            long[] times = new long[TIMED_RUNS];
            for (int i = 0; i < times.length; i++) {
                long t0 = System.nanoTime();
                normalized.run(device, in, out);
                times[i] = System.nanoTime() - t0;
            }
            long run = median(times);
            long bytes = 0;
            for (Tensor t : in) {
                bytes += t.elementCount() * 4;
            }
            bytes += out[0].elementCount() * 4;
            int cores = device.coresFor(Executable.of(normalized.program(), npu));
            String verdict = check(spec, inputs, TensorBridge.fromTensor(out[0]));
            long multiplyAdds = multiplyAdds(spec, shapes);
            System.out.printf("%-13s %-12s %10.1f %10.1f %8.2f %7d %6d %9d  %s%s%n", name, Arrays.toString(shapes[0]),
                    encode / 1e3, run / 1e3, bytes / (double) run, normalized.tiles(), cores, normalized.bytecodeBytes(), verdict,
                    multiplyAdds == 0 ? "" : String.format(" (%.2f GFLOP/s)", 2.0 * multiplyAdds / run));
            return verdict;
        }
    }

    /** Multiply-adds of {@code spec}'s matrix product for inputs of {@code shapes} (product elements × K), 0 without one. */
    private static long multiplyAdds(KernelSpec spec, long[][] shapes) {
        int nIn = spec.inputs().size();
        List<ReferenceEvaluator.Meta> metas = ReferenceEvaluator.infer(spec, List.of(shapes));
        for (int i = 0; i < spec.ops().size(); i++) {
            if (spec.ops().get(i) instanceof OpSpec.MatMul mm) {
                long[] a = shapes[mm.a()];
                return RefTensor.count(metas.get(nIn + i).shape()) * a[a.length - (mm.transA() ? 2 : 1)];
            }
        }
        return 0;
    }

    private static void jitWarmUp(Device device, NpuSpec npu, KernelSpec spec) {
        List<RefTensor> inputs = inputs(spec, WARMUP_ROWS, 1);
        long[][] shapes = inputs.stream().map(RefTensor::shape).toArray(long[][]::new);
        warmUp(() -> spec.build().kernel().normalize(npu, shapes), JIT_WARMUP_MILLIS / 2, JIT_WARMUP_CALLS);
        KernelInstance instance = spec.build().kernel().normalize(npu, shapes);
        try (Arena arena = Arena.ofShared()) {
            Tensor[] in = inputs.stream().map(t -> TensorBridge.toTensor(arena, t)).toArray(Tensor[]::new);
            Tensor[] out = {Tensor.allocate(arena, DType.F32, instance.outputShape(0))};
            warmUp(() -> instance.run(device, in, out), JIT_WARMUP_MILLIS, JIT_WARMUP_CALLS);
        }
    }

    /** Calls {@code action} for {@link #WARMUP_MILLIS} ms or {@link #WARMUP_CALLS} times, whichever comes first. */
    private static void warmUp(Runnable action) {
        warmUp(action, WARMUP_MILLIS, WARMUP_CALLS);
    }

    private static void warmUp(Runnable action, long millis, int calls) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (int i = 0; i < calls && System.nanoTime() < deadline; i++) {
            action.run();
        }
    }

    private static long median(long[] times) {
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * Random inputs: rows (x, y, z) in [-3, 3]; gamma in [0.5, 1.5]; beta and bias in [-0.5, 0.5]; a
     * weight matrix W[k, n] in ±1/√k, so that x·W is of order 1, where GELU bends.
     */
    static List<RefTensor> inputs(KernelSpec spec, long s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<RefTensor> out = new ArrayList<>();
        long[][] shapes = DemoKernels.shapes(spec, s, H);
        for (int i = 0; i < spec.inputs().size(); i++) {
            long[] shape = shapes[i];
            boolean rows = perRow(spec, i);
            double weight = 1 / Math.sqrt(shape[0]);
            double lo = rows ? -3 : shape.length == 2 ? -weight : i == 1 ? 0.5 : -0.5;
            double hi = rows ? 3 : shape.length == 2 ? weight : i == 1 ? 1.5 : 0.5;
            out.add(RefTensor.uniformF32(r, lo, hi, shape));
        }
        return out;
    }

    /** Whether input {@code i} of {@code spec} holds one row per output row (its leading dim is the dynamic s). */
    private static boolean perRow(KernelSpec spec, int i) {
        long[] dims = spec.inputs().get(i).dims();
        return dims.length == 2 && dims[0] == -1;
    }

    /** Checks {@code got} row by row against the reference evaluator: every demo kernel works on rows independently. */
    static String check(KernelSpec spec, List<RefTensor> inputs, RefTensor got) {
        long rows = got.shape()[0];
        for (int row = 0; row < rows; row++) {
            List<RefTensor> rowInputs = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                rowInputs.add(perRow(spec, i) ? row(inputs.get(i), row) : inputs.get(i));
            }
            RefTensor expected = ReferenceEvaluator.evaluate(spec, rowInputs).get(0);
            Tolerances.Mismatch m = Tolerances.firstMismatch(expected, row(got, row));
            if (m != null) {
                return "row " + row + " column " + m.index() + ": got " + m.got() + ", expected " + m.expected() + " ± " + m.tolerance();
            }
        }
        return "ok";
    }

    static RefTensor row(RefTensor t, int row) {
        int h = (int) t.shape()[1];
        return new RefTensor(t.dtype(), new long[] {1, h}, Arrays.copyOfRange(t.floats(), row * h, row * h + h), null,
                Arrays.copyOfRange(t.err(), row * h, row * h + h));
    }
}
