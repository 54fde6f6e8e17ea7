package dev.dvm.jmh.kernels;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The suite's JMH settings, inherited by every benchmark class: average time in µs, one fork,
 * short iterations for a noisy 2-core machine (override with -f, -wi, -i, -w, -r). Five warm-up
 * seconds, because dvm4j's VM took about three to reach steady state on GELU. Forks get the Vector
 * API, native access (tensors, ONNX Runtime, libtorch), JMH's Unsafe access without warnings, and
 * DJL's offline mode with its cache under jmh/target (relative to the project root, where ./dvm
 * runs).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow",
    "-Dai.djl.offline=true", "-DDJL_CACHE_DIR=jmh/target/djl-cache"})
public abstract class BenchmarkDefaults {}
