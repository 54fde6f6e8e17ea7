package dev.dvm.jmh.kernels;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ONNX Runtime (CPU, default graph optimisations) running the same kernel as
 * {@link KernelRunBench}, from an ONNX model written by {@link OnnxModel} with a dynamic s: GELU
 * as the tanh formula in primitive ops, Softmax, LayerNormalization, RMSNorm as
 * Pow/ReduceMean/Add/Sqrt/Div/Mul, Add/Mul/Relu. Inputs are direct buffers and the output is a
 * pinned preallocated tensor, so a run measures ORT's kernels and per-call overhead, not
 * allocation. Intra-op threads = {@code threads}, inter-op threads = 1.
 */
@State(Scope.Benchmark)
public class OrtKernelBench extends KernelParams {
    /** The models' output name. */
    static final String OUTPUT = "y";

    private OrtSession session;
    private final Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    private Map<String, OnnxTensor> outputs;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        long s = rows();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        session = session(model(kernel), threads);
        long[][] shapes = kernel.inputShapes(s);
        float[][] data = kernel.inputData(s);
        for (int slot = 0; slot < shapes.length; slot++) {
            FloatBuffer buffer = directFloats(data[slot].length).put(data[slot]).rewind();
            inputs.put(inputName(slot), OnnxTensor.createTensor(env, buffer, shapes[slot]));
        }
        FloatBuffer out = directFloats(Math.toIntExact(s * Workload.HIDDEN));
        outputs = Map.of(OUTPUT, OnnxTensor.createTensor(env, out, new long[] {s, Workload.HIDDEN}));
        run();
        float[] actual = new float[out.capacity()];
        out.get(0, actual);
        try (DvmKernelRun dvm = new DvmKernelRun(kernel, s, threads)) {
            dvm.verify("ONNX Runtime", actual);
        }
    }

    @Benchmark
    public void run() throws OrtException {
        session.run(inputs, outputs).close(); // pinned outputs are not owned by the result
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        close(session, inputs, outputs);
    }

    /** Closes a benchmark's session and the tensors it ran on: every ORT benchmark's tear-down. */
    public static void close(OrtSession session, Map<String, OnnxTensor> inputs, Map<String, OnnxTensor> outputs) throws OrtException {
        session.close();
        inputs.values().forEach(OnnxTensor::close);
        outputs.values().forEach(OnnxTensor::close);
    }

    /**
     * A session of {@code model} with ORT's default graph optimisations, {@code threads} intra-op
     * threads and one inter-op thread: the settings of every ORT benchmark.
     */
    public static OrtSession session(byte[] model, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            return OrtEnvironment.getEnvironment().createSession(model, options);
        }
    }

    private static FloatBuffer directFloats(int count) {
        return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The models' name of input {@code slot}. */
    static String inputName(int slot) {
        return "in" + slot;
    }

    /** The ONNX model of {@code w} over [s, h] inputs (s dynamic) and [h] feature vectors. */
    static byte[] model(Workload w) {
        OnnxModel m = new OnnxModel();
        String[] in = new String[w.inputCount()];
        for (int slot = 0; slot < in.length; slot++) {
            in[slot] = w.isFeatureVector(slot)
                    ? m.input(inputName(slot), Workload.HIDDEN)
                    : m.input(inputName(slot), null, Workload.HIDDEN);
        }
        String y = switch (w) {
            case GELU -> {
                String x = in[0];
                String cube = m.op("Mul", m.op("Mul", x, x), x);
                String inner = m.op("Mul", m.op("Add", x, m.op("Mul", cube, m.constant(0.044715f))),
                        m.constant((float) Math.sqrt(2 / Math.PI)));
                String gate = m.op("Add", m.op("Tanh", inner), m.constant(1f));
                yield m.op("Mul", m.op("Mul", x, gate), m.constant(0.5f));
            }
            case SOFTMAX -> m.op("Softmax", List.of(OnnxModel.intAttr("axis", -1)), in[0]);
            case LAYER_NORM -> m.op("LayerNormalization",
                    List.of(OnnxModel.intAttr("axis", -1), OnnxModel.floatAttr("epsilon", (float) w.epsilon())), in);
            case RMS_NORM -> {
                String meanSquare = m.op("ReduceMean",
                        List.of(OnnxModel.intsAttr("axes", -1), OnnxModel.intAttr("keepdims", 1)),
                        m.op("Pow", in[0], m.constant(2f)));
                String rms = m.op("Sqrt", m.op("Add", meanSquare, m.constant((float) w.epsilon())));
                yield m.op("Mul", m.op("Div", in[0], rms), in[1]);
            }
            case ADD_MUL_RELU -> m.op("Relu", m.op("Mul", m.op("Add", in[0], in[1]), in[2]));
            case ELEMENTWISE_10 -> throw new IllegalArgumentException(
                    "ELEMENTWISE_10 is an encode-time workload only; pick one of the five run workloads");
        };
        m.output(y, OUTPUT, null, Workload.HIDDEN);
        return m.toBytes(w.name().toLowerCase());
    }
}
