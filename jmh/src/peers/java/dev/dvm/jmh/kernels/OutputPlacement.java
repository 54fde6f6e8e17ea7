package dev.dvm.jmh.kernels;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.dvm.core.DType;
import dev.dvm.core.KernelInstance;
import dev.dvm.core.Tensor;
import dev.dvm.vm.Device;
import dev.dvm.vm.JitMode;
import dev.dvm.vm.NpuSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * How the distance between a kernel's input and output, modulo 4 KiB, changes dvm4j's and ONNX
 * Runtime's time on one thread, both running on the very same two buffers. A load that follows a
 * store whose address agrees in its low 12 bits waits for that store on x86 cores (4K aliasing),
 * so a loop that reads {@code in[i]} and writes {@code out[i]} stalls when {@code out − in} is a
 * small positive multiple of 64 modulo 4096; where a runtime's allocator puts the output decides
 * it, not the kernel. Each offset is measured in several passes over all offsets (fastest launch
 * per offset), so that a slow stretch of the machine does not land on one offset only.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.dvm.jmh.kernels.OutputPlacement [kernel, default SOFTMAX] [size, default 1M]}
 */
public final class OutputPlacement {
    private static final long[] OFFSETS = {0, 64, 128, 256, 1024, 2048, 4032};
    private static final int PASSES = 4;
    private static final int LAUNCHES = 200;
    private static final long PAGE = 4096;

    private OutputPlacement() {}

    public static void main(String[] args) throws OrtException {
        Workload w = Workload.valueOf(args.length > 0 ? args[0] : "SOFTMAX");
        String size = args.length > 1 ? args[1] : "1M";
        long s = Workload.rows(Workload.elements(size));
        long bytes = s * Workload.HIDDEN * Float.BYTES;
        if (w.inputCount() != 1) {
            throw new IllegalArgumentException(w + " has feature-vector inputs; pick a one-input kernel (GELU, SOFTMAX)");
        }
        long[] dvm = new long[OFFSETS.length], ort = new long[OFFSETS.length];
        Arrays.fill(dvm, Long.MAX_VALUE);
        Arrays.fill(ort, Long.MAX_VALUE);
        try (Arena arena = Arena.ofShared();
                Device device = new Device(NpuSpec.host().withCores(1), Device.Options.defaults().withJit(JitMode.FORCE));
                OrtSession session = OrtKernelBench.session(OrtKernelBench.model(w), 1)) {
            MemorySegment space = arena.allocate(2 * bytes + 2 * PAGE, PAGE);
            MemorySegment in = space.asSlice(0, bytes);
            float[] data = w.inputData(s)[0];
            KernelInstance instance = w.kernel().normalize(device.spec(), w.inputShapes(s));
            for (int pass = 0; pass < PASSES; pass++) {
                for (int o = 0; o < OFFSETS.length; o++) {
                    MemorySegment out = space.asSlice(bytes + PAGE + OFFSETS[o], bytes);
                    Arena placed = new PlacedArena(arena, in, out);
                    Tensor[] inputs = {Tensor.allocate(placed, DType.F32, s, Workload.HIDDEN)};
                    Tensor[] outputs = {Tensor.allocate(placed, DType.F32, s, Workload.HIDDEN)};
                    MemorySegment.copy(data, 0, in, ValueLayout.JAVA_FLOAT, 0, data.length);
                    try (OnnxTensor ortIn = floats(in, s); OnnxTensor ortOut = floats(out, s)) {
                        Map<String, OnnxTensor> ortInputs = Map.of(OrtKernelBench.inputName(0), ortIn),
                                ortOutputs = Map.of(OrtKernelBench.OUTPUT, ortOut);
                        for (int i = 0; i < LAUNCHES; i++) {
                            long start = System.nanoTime();
                            instance.run(device, inputs, outputs);
                            long between = System.nanoTime();
                            session.run(ortInputs, ortOutputs).close();
                            long end = System.nanoTime();
                            if (pass > 0) { // the first pass warms both up
                                dvm[o] = Math.min(dvm[o], between - start);
                                ort[o] = Math.min(ort[o], end - between);
                            }
                        }
                        if (pass == 0 && o == 0) {
                            // The last launch was ORT's: its output must be dvm4j's, as the JMH benchmark checks it.
                            try (DvmKernelRun reference = new DvmKernelRun(w, s, 1, JitMode.OFF)) {
                                reference.verify("ONNX Runtime", out.toArray(ValueLayout.JAVA_FLOAT));
                            }
                        }
                    }
                }
            }
        }
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, """

                ### %s %s on one thread, by (output − input) mod 4096 (fastest of %d launches × %d passes)

                | offset | dvm4j | ONNX Runtime | ORT ÷ dvm4j |
                |---|---|---|---|
                """, w, size, LAUNCHES, PASSES - 1));
        for (int o = 0; o < OFFSETS.length; o++) {
            table.append(String.format(Locale.ROOT, "| %d | %.1f µs | %.1f µs | %.2f |%n", OFFSETS[o], dvm[o] / 1e3, ort[o] / 1e3,
                    (double) ort[o] / dvm[o]));
        }
        System.out.print(table);
    }

    /** Hands out the given segments, in order, to {@link Tensor#allocate}: tensors over memory the caller placed. */
    private static final class PlacedArena implements Arena {
        private final Arena owner;
        private final MemorySegment[] segments;
        private int next;

        PlacedArena(Arena owner, MemorySegment... segments) {
            this.owner = owner;
            this.segments = segments;
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            return segments[next++].asSlice(0, byteSize);
        }

        @Override
        public MemorySegment.Scope scope() {
            return owner.scope();
        }

        @Override
        public void close() {
            throw new UnsupportedOperationException("the owner arena frees the memory");
        }
    }

    private static OnnxTensor floats(MemorySegment segment, long s) throws OrtException {
        return OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), segment.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer(),
                new long[] {s, Workload.HIDDEN});
    }
}
