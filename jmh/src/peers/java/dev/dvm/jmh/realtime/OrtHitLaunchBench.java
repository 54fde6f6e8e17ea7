package dev.dvm.jmh.realtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.dvm.jmh.kernels.BenchmarkDefaults;
import dev.dvm.jmh.kernels.OnnxModel;
import dev.dvm.jmh.kernels.OrtKernelBench;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ONNX Runtime (CPU, default graph optimisations, one intra-op and one inter-op thread) running
 * {@link FourOpKernel}'s graph, Add, Mul, Relu, Mul by the constant 0.5 over vectors of a dynamic
 * length n (written by {@link OnnxModel}, which renames the result with an Identity node), at
 * n = {@value FourOpKernel#ELEMENTS}: the peer of {@link HitLaunchBench}, sample time in ns.
 *
 * <p>Everything reusable is made once in setup: the session, the input tensors over direct buffers,
 * their name map, and a pinned output tensor that ORT writes into, so a run is ORT's per-call
 * overhead and its four kernels, not allocation of the result. The {@code Result} a run returns is
 * still created (and closed) by every call: ORT's Java API has no run without one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OrtHitLaunchBench extends BenchmarkDefaults {
    private static final String[] INPUT_NAMES = {"x", "y", "z"};
    private static final String OUTPUT = "out";

    private OrtSession session;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            session = env.createSession(model(), options);
        }
        float[][] data = FourOpKernel.inputs();
        long[] shape = {FourOpKernel.ELEMENTS};
        inputs = Map.of(
                INPUT_NAMES[0], OnnxTensor.createTensor(env, directFloats(data[0]), shape),
                INPUT_NAMES[1], OnnxTensor.createTensor(env, directFloats(data[1]), shape),
                INPUT_NAMES[2], OnnxTensor.createTensor(env, directFloats(data[2]), shape));
        FloatBuffer out = directFloats(new float[FourOpKernel.ELEMENTS]);
        outputs = Map.of(OUTPUT, OnnxTensor.createTensor(env, out, shape));
        run();
        float[] expected = FourOpKernel.expected(data);
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(out.get(i) - expected[i]) > 1e-6f * (1 + Math.abs(expected[i]))) {
                throw new IllegalStateException("ONNX Runtime's element " + i + " is " + out.get(i) + ", expected " + expected[i]);
            }
        }
    }

    @Benchmark
    public void run() throws OrtException {
        session.run(inputs, outputs).close(); // pinned outputs are not owned by the result
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        OrtKernelBench.close(session, inputs, outputs);
    }

    private static FloatBuffer directFloats(float[] values) {
        return ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer()
                .put(values).rewind();
    }

    /** relu((x + y)·z)·0.5 with x, y, z and the result of shape [n], n a dim_param. */
    private static byte[] model() {
        OnnxModel m = new OnnxModel();
        String x = m.input(INPUT_NAMES[0], (Long) null);
        String y = m.input(INPUT_NAMES[1], (Long) null);
        String z = m.input(INPUT_NAMES[2], (Long) null);
        String result = m.op("Mul", m.op("Relu", m.op("Mul", m.op("Add", x, y), z)), m.constant(FourOpKernel.SCALE));
        m.output(result, OUTPUT, (Long) null);
        return m.toBytes("add_mul_relu_scale");
    }
}
