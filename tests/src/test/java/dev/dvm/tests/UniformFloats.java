package dev.dvm.tests;

import java.util.Random;

/** Seeded operands for the product tests: floats uniform in [-1, 1). */
final class UniformFloats {
    private UniformFloats() {}

    static float[] of(Random rnd, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = rnd.nextFloat() * 2 - 1;
        }
        return out;
    }
}
