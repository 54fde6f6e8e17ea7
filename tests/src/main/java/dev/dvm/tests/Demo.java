package dev.dvm.tests;

import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.Tensor;
import dev.dvm.tests.reference.KernelSpec;
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
 * {@code ./dvm demo}: builds the five {@link DemoKernels}, runs each on {@code [s, 4096]} for
 * s = 1, 7, 128, 1000, 4096 on a {@code Device(NpuSpec.host())}, checks every result row by row
 * against the reference evaluator (within {@link Tolerances}), and prints encode time
 * (Kernel.normalize: normalise + tile + codegen + verify, best of 5 on fresh kernels), run time
 * (median of 7 after 3 warm-ups), GB/s (bytes read + written / run time), tiles, cores used and
 * bytecode bytes. Exit code 1 when any result did not match.
 */
public final class Demo {
    private Demo() {}

    static final long H = 4096;
    static final long[] ROWS = {1, 7, 128, 1000, 4096};

    public static void main(String[] args) {
        Map<String, KernelSpec> kernels = new LinkedHashMap<>();
        kernels.put("gelu", DemoKernels.gelu());
        kernels.put("softmax", DemoKernels.softmax());
        kernels.put("layer_norm", DemoKernels.layerNorm(H));
        kernels.put("rms_norm", DemoKernels.rmsNorm(H));
        kernels.put("add_mul_relu", DemoKernels.addMulRelu());
        NpuSpec spec = NpuSpec.host();
        Map<String, String> verdicts = new LinkedHashMap<>();
        System.out.printf("device: %s, %d cores, UB %d bytes%n", spec.name(), spec.cores(), spec.ubBytes());
        System.out.printf("%-13s %-12s %10s %10s %8s %7s %6s %9s  %s%n", "kernel", "shape", "encode µs", "run µs", "GB/s", "tiles", "cores", "bytecode", "check");
        try (Device device = new Device(spec)) {
            for (Map.Entry<String, KernelSpec> e : kernels.entrySet()) {
                for (long s : ROWS) {
                    String verdict;
                    try {
                        verdict = runOne(device, spec, e.getKey(), e.getValue(), s);
                    } catch (RuntimeException ex) {
                        verdict = "ERROR " + ex;
                        System.out.printf("%-13s %-12s %s%n", e.getKey(), "[" + s + ", " + H + "]", verdict);
                    }
                    verdicts.merge(e.getKey(), verdict.equals("ok") ? "" : "[" + s + ", " + H + "]: " + verdict + "; ", String::concat);
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
        long bestEncode = Long.MAX_VALUE;
        KernelInstance instance = null;
        for (int i = 0; i < 5; i++) {
            Kernel fresh = spec.build().kernel();
            long t0 = System.nanoTime();
            instance = fresh.normalize(npu, shapes);
            bestEncode = Math.min(bestEncode, System.nanoTime() - t0);
        }
        try (Arena arena = Arena.ofShared()) {
            Tensor[] in = inputs.stream().map(t -> TensorBridge.toTensor(arena, t)).toArray(Tensor[]::new);
            Tensor[] out = {Tensor.allocate(arena, DType.F32, instance.outputShape(0))};
            for (int i = 0; i < 3; i++) {
                instance.run(device, in, out);
            }
            long[] times = new long[7];
            for (int i = 0; i < times.length; i++) {
                long t0 = System.nanoTime();
                instance.run(device, in, out);
                times[i] = System.nanoTime() - t0;
            }
            Arrays.sort(times);
            long run = times[times.length / 2];
            long bytes = 0;
            for (Tensor t : in) {
                bytes += t.elementCount() * 4;
            }
            bytes += out[0].elementCount() * 4;
            int cores = device.coresFor(Executable.of(instance.program(), npu));
            String verdict = check(spec, inputs, TensorBridge.fromTensor(out[0]));
            System.out.printf("%-13s %-12s %10.1f %10.1f %8.2f %7d %6d %9d  %s%n", name, "[" + s + ", " + H + "]",
                    bestEncode / 1e3, run / 1e3, bytes / (double) run, instance.tiles(), cores, instance.bytecodeBytes(), verdict);
            return verdict;
        }
    }

    /** Random inputs: x (and y, z) in [-3, 3]; gamma in [0.5, 1.5]; beta in [-0.5, 0.5]. */
    static List<RefTensor> inputs(KernelSpec spec, long s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<RefTensor> out = new ArrayList<>();
        for (int i = 0; i < spec.inputs().size(); i++) {
            long[] dims = spec.inputs().get(i).dims();
            long[] shape = dims.length == 1 ? new long[] {H} : new long[] {s, H};
            double lo = dims.length == 1 ? (i == 1 ? 0.5 : -0.5) : -3;
            double hi = dims.length == 1 ? (i == 1 ? 1.5 : 0.5) : 3;
            double[] v = new double[Math.toIntExact(RefTensor.count(shape))];
            for (int k = 0; k < v.length; k++) {
                v[k] = r.nextDouble(lo, hi);
            }
            out.add(RefTensor.ofFloats(DType.F32, shape, v));
        }
        return out;
    }

    /** Checks {@code got} row by row against the reference evaluator: every demo kernel works on rows independently. */
    static String check(KernelSpec spec, List<RefTensor> inputs, RefTensor got) {
        long rows = got.shape()[0];
        for (int row = 0; row < rows; row++) {
            List<RefTensor> rowInputs = new ArrayList<>();
            for (RefTensor t : inputs) {
                rowInputs.add(t.shape().length == 1 ? t : row(t, row));
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
