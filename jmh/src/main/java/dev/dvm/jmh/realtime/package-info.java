/**
 * The real-time suite ({@code ./dvm bench realtime}): encode time of a new instance
 * ({@link dev.dvm.jmh.realtime.EncodeNewShapeBench}, and the 10,000-shape
 * {@link dev.dvm.jmh.realtime.EncodeSweep}), and a cache hit plus launch of a 4-op kernel on 1K
 * elements ({@link dev.dvm.jmh.realtime.HitLaunchBench}) next to ONNX Runtime running the same graph
 * (OrtHitLaunchBench, with {@code -Ppeers}). Times are JMH sample-time distributions in ns.
 */
package dev.dvm.jmh.realtime;
