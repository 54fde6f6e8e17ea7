package dev.dvm.jmh.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns JMH's JSON results ({@code -rf json -rff results.json}) into the markdown tables of
 * docs/BENCHMARKS.md: per kernel a row per size with dvm4j, ONNX Runtime and PyTorch times on 1
 * and 2 threads, dvm4j's GB/s and its share of the STREAM triad bandwidth, and the peers' times
 * divided by dvm4j's; then STREAM and encode times. Missing results print as "—". Results of other
 * suites (e.g. {@code dev.dvm.jmh.symbolic}, {@code dev.dvm.jmh.realtime}) get one table per
 * benchmark of median, p99.9 (sample-time mode) and mean times, and the bytes allocated per
 * operation when run with {@code -prof gc}; a file with only those prints only that table.
 *
 * <p>Usage: {@code java -cp jmh/target/benchmarks.jar dev.dvm.jmh.kernels.Report results.json}
 */
public final class Report {
    private static final String[] SIZES = {"1K", "64K", "1M", "16M"};
    private static final int[] THREADS = {1, 2};
    private static final String NONE = "—";
    private static final String PACKAGE = Report.class.getPackageName() + ".";

    /** One JMH result: average nanoseconds per operation and the relative error (NaN if unknown). */
    record Score(double nanos, double relativeError) {}

    private final Map<String, Score> scores = new LinkedHashMap<>();
    /** Results of other suites (e.g. symbolic): printed as one generic table of medians. */
    private final List<Other> others = new ArrayList<>();

    /**
     * A result outside this package: its median (p0.50 in sample-time mode, else the score), p99.9
     * (NaN unless sample-time), mean, and gc.alloc.rate.norm in bytes per operation (NaN without
     * {@code -prof gc}).
     */
    record Other(String benchmark, Map<?, ?> params, String mode, double medianNanos, double p999Nanos, double meanNanos,
            double allocBytesPerOp) {}

    private Report(List<Object> results) {
        for (Object r : results) {
            Map<?, ?> result = (Map<?, ?>) r;
            Map<?, ?> metric = (Map<?, ?>) result.get("primaryMetric");
            Map<?, ?> params = result.get("params") instanceof Map<?, ?> p ? p : Map.of();
            double nanos = toNanos(number(metric.get("score")), (String) metric.get("scoreUnit"));
            double error = number(metric.get("scoreError")) / number(metric.get("score"));
            String benchmark = (String) result.get("benchmark");
            scores.put(key(benchmark, params), new Score(nanos, error));
            if (!benchmark.startsWith(PACKAGE)) {
                Map<?, ?> percentiles = metric.get("scorePercentiles") instanceof Map<?, ?> p ? p : Map.of();
                String unit = (String) metric.get("scoreUnit");
                double median = percentiles.get("50.0") != null ? toNanos(number(percentiles.get("50.0")), unit) : nanos;
                double p999 = "sample".equals(result.get("mode")) && percentiles.get("99.9") != null
                        ? toNanos(number(percentiles.get("99.9")), unit) : Double.NaN;
                double alloc = result.get("secondaryMetrics") instanceof Map<?, ?> secondary
                        && secondary.get("gc.alloc.rate.norm") instanceof Map<?, ?> norm
                        ? number(norm.get("score")) : Double.NaN;
                others.add(new Other(benchmark, params, (String) result.get("mode"), median, p999, nanos, alloc));
            }
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report <JMH results.json> (write it with -rf json -rff results.json)");
            System.exit(2);
        }
        Object json = new JsonReader(Files.readString(Path.of(args[0]))).value();
        if (!(json instanceof List<?> list)) {
            throw new IllegalArgumentException(args[0] + " is not a JMH JSON result array");
        }
        System.out.print(new Report(new ArrayList<>(list)).markdown());
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        if (others.size() == scores.size()) {
            return othersTable(out).toString();
        }
        out.append("""
                Times are JMH averages per run (± the 99.9% confidence half-interval); ORT ÷ and PyTorch ÷ are
                the peer's time divided by dvm4j's (above 1: dvm4j is faster). GB/s counts every input read
                once and the output written once; % triad compares it with STREAM triad on as many threads.

                """);
        for (Workload w : Workload.values()) {
            if (w == Workload.ELEMENTWISE_10) {
                continue;
            }
            out.append("### ").append(w).append("\n\n");
            out.append("| size | dvm4j 1t | dvm4j 2t | ORT 1t | ORT 2t | PyTorch 1t | PyTorch 2t "
                    + "| dvm4j GB/s 1t / 2t | % triad 1t / 2t | ORT ÷ 1t / 2t | PyTorch ÷ 1t / 2t |\n");
            out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (String size : SIZES) {
                long bytes = w.bytesMoved(Workload.rows(Workload.elements(size)));
                StringBuilder times = new StringBuilder();
                for (String bench : List.of("KernelRunBench", "OrtKernelBench", "TorchKernelBench")) {
                    for (int t : THREADS) {
                        times.append(" | ").append(kernel(bench, w, size, t).map(Report::time).orElse(NONE));
                    }
                }
                StringBuilder gbs = new StringBuilder();
                StringBuilder triad = new StringBuilder();
                StringBuilder ort = new StringBuilder();
                StringBuilder torch = new StringBuilder();
                for (int t : THREADS) {
                    String sep = t == THREADS[0] ? "" : " / ";
                    Optional<Score> dvm = kernel("KernelRunBench", w, size, t);
                    Optional<Double> rate = dvm.map(s -> bytes / s.nanos());
                    gbs.append(sep).append(rate.map(Report::format).orElse(NONE));
                    Optional<Double> triadRate = stream(StreamKernel.TRIAD, t)
                            .map(s -> StreamKernel.TRIAD.bytesMoved() / s.nanos());
                    triad.append(sep).append(rate.flatMap(r -> triadRate.map(
                            tr -> String.format(Locale.ROOT, "%.0f%%", 100 * r / tr))).orElse(NONE));
                    ort.append(sep).append(ratio(kernel("OrtKernelBench", w, size, t), dvm));
                    torch.append(sep).append(ratio(kernel("TorchKernelBench", w, size, t), dvm));
                }
                out.append("| ").append(size).append(times).append(" | ").append(gbs).append(" | ").append(triad)
                        .append(" | ").append(ort).append(" | ").append(torch).append(" |\n");
            }
            out.append('\n');
        }
        out.append("### STREAM (64 MiB arrays, GB/s)\n\n| threads | copy | triad |\n|---|---|---|\n");
        for (int t : THREADS) {
            out.append("| ").append(t);
            for (StreamKernel kind : StreamKernel.values()) {
                out.append(" | ").append(stream(kind, t)
                        .map(s -> format(kind.bytesMoved() / s.nanos())).orElse(NONE));
            }
            out.append(" |\n");
        }
        out.append("\n### Encode (Kernel.normalize for a new s each time)\n\n| kernel | time |\n|---|---|\n");
        for (Workload w : Workload.values()) {
            Optional<Score> s = Optional.ofNullable(
                    scores.get(key(PACKAGE + "KernelEncodeBench.normalize", Map.of("kernel", w.name()))));
            out.append("| ").append(w).append(" | ").append(s.map(Report::time).orElse(NONE)).append(" |\n");
        }
        if (!others.isEmpty()) {
            othersTable(out.append('\n'));
        }
        return out.toString();
    }

    /** Every result of another suite: median (the p0.50 of sample-time mode), p99.9, mean, and B/op allocated. */
    private StringBuilder othersTable(StringBuilder out) {
        out.append("| benchmark | params | mode | median | p99.9 | mean | alloc B/op |\n|---|---|---|---|---|---|---|\n");
        for (Other o : others) {
            String name = o.benchmark().substring(o.benchmark().lastIndexOf('.', o.benchmark().lastIndexOf('.') - 1) + 1);
            out.append("| ").append(name).append(" | ").append(o.params().isEmpty() ? NONE : new TreeMap<>(o.params()).toString())
                    .append(" | ").append(o.mode()).append(" | ").append(time(new Score(o.medianNanos(), Double.NaN)))
                    .append(" | ").append(Double.isNaN(o.p999Nanos()) ? NONE : time(new Score(o.p999Nanos(), Double.NaN)))
                    .append(" | ").append(time(new Score(o.meanNanos(), Double.NaN)))
                    .append(" | ").append(Double.isNaN(o.allocBytesPerOp()) ? NONE : format(o.allocBytesPerOp()))
                    .append(" |\n");
        }
        return out;
    }

    private Optional<Score> kernel(String bench, Workload w, String size, int threads) {
        return Optional.ofNullable(scores.get(key(PACKAGE + bench + ".run",
                Map.of("kernel", w.name(), "size", size, "threads", Integer.toString(threads)))));
    }

    private Optional<Score> stream(StreamKernel kind, int threads) {
        return Optional.ofNullable(
                scores.get(key(PACKAGE + "StreamBench." + kind.method(),
                        Map.of("threads", Integer.toString(threads)))));
    }

    private static String key(String benchmark, Map<?, ?> params) {
        return benchmark + new TreeMap<>(params);
    }

    private static String ratio(Optional<Score> peer, Optional<Score> dvm) {
        return peer.isPresent() && dvm.isPresent() ? format(peer.get().nanos() / dvm.get().nanos()) + "×" : NONE;
    }

    private static String time(Score s) {
        double ns = s.nanos();
        String value = ns < 1e3 ? format(ns) + " ns"
                : ns < 1e6 ? format(ns / 1e3) + " µs"
                : ns < 1e9 ? format(ns / 1e6) + " ms"
                : format(ns / 1e9) + " s";
        return Double.isNaN(s.relativeError()) ? value
                : value + String.format(Locale.ROOT, " ±%.0f%%", 100 * s.relativeError());
    }

    /** Three significant digits, no exponent. */
    private static String format(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : v >= 1 ? String.format(Locale.ROOT, "%.2f", v)
                : String.format(Locale.ROOT, "%.3f", v);
    }

    private static double toNanos(double score, String unit) {
        double perUnit = switch (unit) {
            case "ns/op" -> 1;
            case "us/op" -> 1e3;
            case "ms/op" -> 1e6;
            case "s/op" -> 1e9;
            default -> throw new IllegalArgumentException(
                    "score unit '" + unit + "': run the benchmarks in average-time or sample-time mode (-bm avgt or sample)");
        };
        return score * perUnit;
    }

    /** JMH writes NaN as the string "NaN". */
    private static double number(Object v) {
        return v instanceof Double d ? d : Double.parseDouble((String) v);
    }

    /** A minimal JSON reader: objects as maps, arrays as lists, numbers as doubles. */
    private static final class JsonReader {
        private final String text;
        private int at;

        JsonReader(String text) {
            this.text = text;
        }

        Object value() {
            skipSpace();
            char c = text.charAt(at);
            switch (c) {
                case '{' -> {
                    Map<String, Object> map = new LinkedHashMap<>();
                    at++;
                    if (peek() == '}') {
                        at++;
                        return map;
                    }
                    do {
                        skipSpace();
                        String name = string();
                        expect(':');
                        map.put(name, value());
                    } while (next() == ',');
                    at--;
                    expect('}');
                    return map;
                }
                case '[' -> {
                    List<Object> list = new ArrayList<>();
                    at++;
                    if (peek() == ']') {
                        at++;
                        return list;
                    }
                    do {
                        list.add(value());
                    } while (next() == ',');
                    at--;
                    expect(']');
                    return list;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    int start = at;
                    while (at < text.length() && ",}] \n\r\t".indexOf(text.charAt(at)) < 0) {
                        at++;
                    }
                    String word = text.substring(start, at);
                    return switch (word) {
                        case "true" -> Boolean.TRUE;
                        case "false" -> Boolean.FALSE;
                        case "null" -> null;
                        default -> Double.parseDouble(word);
                    };
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder s = new StringBuilder();
            for (char c = text.charAt(at++); c != '"'; c = text.charAt(at++)) {
                if (c == '\\') {
                    char e = text.charAt(at++);
                    switch (e) {
                        case 'n' -> s.append('\n');
                        case 't' -> s.append('\t');
                        case 'r' -> s.append('\r');
                        case 'b' -> s.append('\b');
                        case 'f' -> s.append('\f');
                        case 'u' -> {
                            s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> s.append(e);
                    }
                } else {
                    s.append(c);
                }
            }
            return s.toString();
        }

        private char peek() {
            skipSpace();
            return text.charAt(at);
        }

        private char next() {
            char c = peek();
            at++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException("JSON: expected '" + c + "' at offset " + (at - 1));
            }
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }
    }
}
