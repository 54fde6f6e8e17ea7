package dev.dvm.jmh.cube;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.dvm.core.DType;
import dev.dvm.core.Kernel;
import dev.dvm.core.Launch;
import dev.dvm.core.Tensor;
import dev.dvm.jmh.kernels.BenchmarkDefaults;
import dev.dvm.jmh.kernels.OrtKernelBench;
import dev.dvm.vm.Device;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue 6's benchmark: one launch of a {@link CubeKernel} (C = A·B, or GELU(A·B + bias)) with
 * K = N = 1024 and M = {@code m}, on dvm4j ({@link #dvm4j}) and on ONNX Runtime ({@link #ort}),
 * average µs per launch; GFLOP/s = 2·M·N·K / time (docs/BENCHMARKS.md, "Cube").
 *
 * <p>Both sides take M as a dynamic dim and work on the same memory: the seeded inputs are dvm4j
 * tensors allocated once, and ORT's input tensors are views of them (direct buffers over the same
 * segments). B and bias are inputs on both sides, resident and bound once: dvm4j through a reusable
 * {@link Launch} whose instance is encoded in setup, so a measured launch is a cache hit and
 * allocates nothing; ORT through a session run with its input map and a pinned output tensor made
 * in setup. {@code threads} is the dvm4j device's cores and ORT's intra-op threads (inter-op 1).
 *
 * <p>Setup checks that the dvm4j kernel is of the expected {@link CubeKernel#type()} and runs both
 * sides once on the same inputs: if any output element differs by more than 1e-3 relative (see
 * {@link #requireSameOutput}), the fork fails and no figure is produced. Each fork measures one
 * side; the other side's session or device stays open but idle.
 */
@State(Scope.Benchmark)
public class CubeBench extends BenchmarkDefaults {
    private static final double RELATIVE_TOLERANCE = 1e-3;

    @Param({"MATMUL", "MATMUL_BIAS_GELU"})
    public CubeKernel kernel;

    /** M, the rows of A and C. */
    @Param({"1", "32", "512", "4096"})
    public long m;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private Device device;
    private Launch launch;
    private OrtSession session;
    private final Map<String, OnnxTensor> ortInputs = new HashMap<>();
    private Map<String, OnnxTensor> ortOutputs;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        arena = Arena.ofShared();
        long[][] shapes = kernel.inputShapes(m);
        float[][] data = kernel.inputData(m);
        Tensor dvm4jOutput = Tensor.allocate(arena, DType.F32, m, CubeKernel.N);
        Tensor ortOutput = Tensor.allocate(arena, DType.F32, m, CubeKernel.N);

        Kernel built = kernel.dvm4jKernel();
        if (built.type() != kernel.type()) {
            throw new IllegalStateException(kernel + " built as a " + built.type() + " kernel, expected " + kernel.type());
        }
        device = new Device(NpuSpec.host().withCores(threads));
        launch = built.newLaunch().output(0, dvm4jOutput);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        session = OrtKernelBench.session(kernel.onnxModel(), threads);
        for (int slot = 0; slot < shapes.length; slot++) {
            Tensor input = Tensor.of(arena, data[slot], shapes[slot]);
            launch.input(slot, input);
            ortInputs.put(CubeKernel.INPUT_NAMES[slot], OnnxTensor.createTensor(env, floats(input), shapes[slot]));
        }
        ortOutputs = Map.of(CubeKernel.OUTPUT_NAME, OnnxTensor.createTensor(env, floats(ortOutput), ortOutput.shape()));

        dvm4j();
        ort();
        requireSameOutput(dvm4jOutput.toFloatArray(), ortOutput.toFloatArray());
    }

    @Benchmark
    public void dvm4j() {
        launch.run(device);
    }

    @Benchmark
    public void ort() throws OrtException {
        session.run(ortInputs, ortOutputs).close(); // pinned outputs are not owned by the result
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        OrtKernelBench.close(session, ortInputs, ortOutputs);
        device.close();
        arena.close();
    }

    /** A direct buffer over the tensor's memory: ORT reads or writes it in place, no copy. */
    private static FloatBuffer floats(Tensor t) {
        return t.segment().asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Prints the largest difference and fails if any element differs by more than 1e-3 of its
     * magnitude plus the output's RMS: a product's rounding error scales with its terms, not with
     * the sum, so elements that cancel to near zero are judged at the output's scale.
     */
    private void requireSameOutput(float[] dvm4j, float[] ort) {
        double sumSquares = 0;
        for (float v : ort) {
            sumSquares += (double) v * v;
        }
        double rms = Math.sqrt(sumSquares / ort.length);
        double maxDiff = 0;
        int worst = 0;
        boolean mismatch = false;
        for (int i = 0; i < ort.length; i++) {
            double diff = Math.abs((double) dvm4j[i] - ort[i]);
            mismatch |= !(diff <= RELATIVE_TOLERANCE * (Math.abs(ort[i]) + rms));
            if (!(diff <= maxDiff)) {
                maxDiff = diff;
                worst = i;
            }
        }
        String line = "ONNX Runtime vs dvm4j, " + kernel + " M=" + m + ": max abs diff " + maxDiff + " at " + worst
                + " (dvm4j " + dvm4j[worst] + ", ONNX Runtime " + ort[worst] + "; output RMS " + rms + ")";
        System.out.println(line);
        if (mismatch) {
            throw new IllegalStateException("outputs differ: " + line);
        }
    }
}
