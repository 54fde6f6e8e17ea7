/**
 * The JIT suite ({@code ./dvm bench jit}, issue 5): the speedup of the JIT tier over the
 * interpreter ({@link dev.dvm.jmh.jit.JitSpeedupBench}), the time to the first result of a new
 * program with the tier on and off ({@link dev.dvm.jmh.jit.FirstResultBench}), and the compile time
 * per stage ({@link dev.dvm.jmh.jit.CompileTimes}, a main run after the JMH suite).
 */
package dev.dvm.jmh.jit;
