package dev.dvm.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.*;
import dev.dvm.symbolic.*;
import dev.dvm.vm.*;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java examples of README.md ("Example" and "Symbolic shapes"), verbatim between the markers
 * below apart from capturing what they print, and a check that the README still shows this code.
 */
class ReadmeExampleTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCE = Path.of("src", "test", "java", "dev", "dvm", "tests", "ReadmeExampleTest.java");

    @Test
    void exampleComputesReluOfXPlusBias() {
        List<float[]> printed = new ArrayList<>();
        // README example begins
        try (Device device = new Device(NpuSpec.host()); Arena arena = Arena.ofConfined()) {
            KernelBuilder b = new KernelBuilder("add_relu");
            Value x = b.input(DType.F32, -1, 4);          // rows are dynamic
            Value bias = b.input(DType.F32, 4);           // broadcast over the rows
            b.output(b.maximum(b.add(x, bias), 0.0));     // relu(x + bias)
            Kernel kernel = b.build();

            for (int rows : new int[] {1, 3}) {           // a new shape each call: encoded in microseconds
                Tensor in = Tensor.of(arena, new float[rows * 4], rows, 4);
                Tensor bb = Tensor.of(arena, new float[] {1, -1, 2, -2}, 4);
                Tensor out = kernel.run(device, arena, in, bb)[0];
                System.out.println(java.util.Arrays.toString(out.toFloatArray()));
                printed.add(out.toFloatArray());
            }
        }
        // README example ends
        assertEquals(2, printed.size());
        assertArrayEquals(new float[] {1, 0, 2, 0}, printed.get(0));
        assertArrayEquals(new float[] {1, 0, 2, 0, 1, 0, 2, 0, 1, 0, 2, 0}, printed.get(1));
    }

    @Test
    void matmulExampleRunsAMixKernel() {
        List<float[]> printed = new ArrayList<>();
        List<KernelType> types = new ArrayList<>();
        // README matmul example begins
        try (Device device = new Device(NpuSpec.host()); Arena arena = Arena.ofConfined()) {
            KernelBuilder b = new KernelBuilder("linear_gelu");
            Value x = b.input(DType.F32, -1, 1024);             // tokens: dynamic
            Value w = b.input(DType.F32, 1024, 4096);
            Value bias = b.input(DType.F32, 4096);
            Value y = b.matmul(x, w, false, false, bias);        // x · w + bias
            b.output(b.mul(b.mul(y, 0.5), b.add(b.erf(b.mul(y, Math.sqrt(0.5))), 1.0)));   // GELU
            Kernel mix = b.build();                              // mix.type() == KernelType.MIX

            float[] ones = new float[4096];
            java.util.Arrays.fill(ones, 1f);
            Tensor tokens = Tensor.of(arena, new float[2 * 1024], 2, 1024);
            Tensor weights = Tensor.of(arena, new float[1024 * 4096], 1024, 4096);
            float[] out = mix.run(device, arena, tokens, weights, Tensor.of(arena, ones, 4096))[0].toFloatArray();
            System.out.println(out.length + " values, GELU(1) = " + out[0]);   // 8192 values, GELU(1) = 0.8413447
            printed.add(out);
            types.add(mix.type());
        }
        // README matmul example ends
        assertEquals(List.of(KernelType.MIX), types);
        float[] out = printed.get(0);
        assertEquals(2 * 4096, out.length);
        for (float v : out) {
            assertEquals(0.8413447460685429, v, 1e-6);
        }
    }

    @Test
    void symbolicExampleProvesWhatFusionNeeds() {
        List<Object> printed = new ArrayList<>();
        // README symbolic example begins
        Facts facts = Facts.builder()
                .range("s", 1, 8192).multipleOf("s", 8)    // a sequence length, padded to 8
                .equal("s", "kv")                           // keys share the queries' length
                .build();
        Prover prover = new Prover(facts);
        ShapeRules rules = new ShapeRules(prover);

        Guarded<SymShape> scores = rules.broadcast(SymShape.parse("[b, s, 64]"), SymShape.parse("[b, kv, 64]"));
        System.out.println(scores.value() + " " + scores.guards());   // [b, kv, 64] []: s == kv is a fact
        Guarded<SymShape> sum = rules.broadcast(SymShape.parse("[b, s]"), SymShape.parse("[n, s]"));
        System.out.println(sum.guards());                              // checked at run time: b == n || ...
        System.out.println(prover.equal(SymInt.parse("ceil(s / 8) * 8"), SymInt.parse("s")));   // TRUE
        long[] dims = scores.value().evaluate(facts.bind(Map.of("b", 2L, "s", 24L)));           // [2, 24, 64]
        // README symbolic example ends
        printed.add(scores);
        printed.add(sum);
        assertTrue(scores.unconditional());
        assertEquals(1, sum.guards().size());
        assertArrayEquals(new long[] {2, 24, 64}, dims);
        assertEquals(Truth.TRUE, prover.equal(SymInt.parse("ceil(s / 8) * 8"), SymInt.parse("s")));
        assertEquals(2, printed.size());
    }

    /** Every line of each README example, imports aside, is a line of the tests above, in the same order. */
    @Test
    void readmeShowsTheTestedCode() throws IOException {
        List<String> lines = Files.readAllLines(README);
        List<String> source = Files.readAllLines(SOURCE).stream().map(String::strip).toList();
        assertShows(exampleBlock(lines, "## Example"), source, "README example");
        assertShows(exampleBlock(lines, "## Symbolic shapes"), source, "README symbolic example");
        assertShows(exampleBlock(lines, "## Matrix products"), source, "README matmul example");
    }

    private static void assertShows(List<String> readme, List<String> source, String marker) {
        assertTrue(readme.size() > 10, "README.md: no Java block for the " + marker);
        int from = source.indexOf("// " + marker + " begins");
        int to = source.indexOf("// " + marker + " ends");
        List<String> tested = source.subList(from + 1, to).stream().filter(l -> !l.startsWith("printed.add(") && !l.startsWith("types.add(")).toList();
        List<String> shown = readme.stream().map(String::strip).filter(l -> !l.startsWith("import ") && !l.isEmpty()).toList();
        assertEquals(shown, tested.stream().filter(l -> !l.isEmpty()).toList());
    }

    private static List<String> exampleBlock(List<String> lines, String headingText) {
        int heading = lines.indexOf(headingText);
        int start = heading < 0 ? -1 : lines.subList(heading, lines.size()).indexOf("```java");
        if (start < 0) {
            return List.of();
        }
        List<String> block = new ArrayList<>();
        for (int i = heading + start + 1; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
            block.add(lines.get(i));
        }
        return block;
    }
}
