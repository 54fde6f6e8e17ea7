package dev.dvm.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dvm.core.*;
import dev.dvm.vm.*;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java example of README.md ("Example"), verbatim between the markers below apart from
 * capturing what it prints, and a check that the README still shows this code.
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

    /** Every line of the README's example, imports aside, is a line of the test above, in the same order. */
    @Test
    void readmeShowsTheTestedCode() throws IOException {
        List<String> readme = exampleBlock(Files.readAllLines(README));
        assertTrue(readme.size() > 10, "README.md: no Java block after '## Example'");
        List<String> source = Files.readAllLines(SOURCE).stream().map(String::strip).toList();
        int from = source.indexOf("// README example begins");
        int to = source.indexOf("// README example ends");
        List<String> tested = source.subList(from + 1, to).stream().filter(l -> !l.startsWith("printed.add(")).toList();
        List<String> shown = readme.stream().map(String::strip).filter(l -> !l.startsWith("import ") && !l.isEmpty()).toList();
        assertEquals(shown, tested.stream().filter(l -> !l.isEmpty()).toList());
    }

    private static List<String> exampleBlock(List<String> lines) {
        int heading = lines.indexOf("## Example");
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
