package dev.dvm.tests.property;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Random matrix products with bias and elementwise epilogues ({@link MatMulCaseGen}) against the
 * float64 reference, on 1, 2 and 3 cores and with the JIT tier forbidden and forced (the tier
 * compiles a cube stage's epilogue around the cube unit's product, decision 0007), all bit-identical ({@link MatMulProperty}): 100 ordinary
 * cases (M, N, K up to 300), 5 with K in the thousands and 1 with M or N of 1000 or more; dims of 0,
 * NaN operands and views are in MetaOpIntegrationTest. {@code -Ddvm.seed=S} replaces the seed,
 * {@code -Ddvm.cases=N} sets the ordinary case count (the others scale with it); {@code ./dvm fuzz
 * --target matmul} runs more.
 *
 * <p>Tolerances (the matmul row of {@link dev.dvm.tests.reference.Tolerances}, where the reasoning
 * is). The reference is the float64 sum of the exactly widened operands' products, exact but for
 * K·2<sup>-53</sup>·Σ|a·b|. An F32 product element may differ from it by 1 ulp + (2·√n + 16)·u·Σ|a·b|
 * (u = 2<sup>-24</sup>, n = K + ⌈K/256⌉ roundings of the documented order): about 3·10<sup>-6</sup>·Σ|a·b|
 * at K = 300 and 9·10<sup>-6</sup>·Σ|a·b| at K = 4096, issue 6's 1e-5 of Σ|a·b| + |ref|; for K = 1 it
 * must be exact. The bound does not depend on the operands' dtypes: F16 and BF16 widen to F32
 * exactly. It then propagates through the epilogue like every op's (bias and residual adds, scalar
 * add/mul and ReLU on the F32 value; erf and sigmoid with their own 4 ulp); an F16 or BF16 output
 * adds the rounding to that type: the stored value must lie between the ends of the F32 interval,
 * each rounded to the output type (rounding to F16 errs by up to 2<sup>-11</sup> relative, to BF16 by
 * 2<sup>-8</sup>).
 */
class MatMulPropertyTest {
    private static final long SEED = 20_260_601L;
    private static final int ORDINARY_CASES = Property.casesProperty(100);

    @AutoClose
    private static final MatMulProperty PROPERTY = new MatMulProperty();

    @Test
    void ordinaryProducts() {
        check(MatMulCaseGen.Size.ORDINARY, ORDINARY_CASES);
    }

    /** K of 1031 to 4099: several 256-element chunks and a tail. */
    @Test
    void productsOverLongK() {
        check(MatMulCaseGen.Size.LONG_K, Math.max(1, ORDINARY_CASES / 20));
    }

    @Test
    void wideProducts() {
        check(MatMulCaseGen.Size.WIDE, Math.max(1, ORDINARY_CASES / 100));
    }

    private static void check(MatMulCaseGen.Size size, int cases) {
        Property.Failure<KernelCase> f = PROPERTY.property(size).run(Property.seedProperty(SEED), cases, i -> { });
        if (f != null) {
            fail(f.toString());
        }
    }
}
