/**
 * The cube suite ({@code ./dvm bench cube}, issue 6): matrix products on dvm4j's cube unit, alone
 * (a CUBE kernel) and with a bias and exact GELU (a MIX kernel), against ONNX Runtime in the same
 * run ({@link dev.dvm.jmh.cube.CubeBench}). Built only with {@code -Ppeers}.
 */
package dev.dvm.jmh.cube;
