package dev.dvm.tests.symbolic;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dvm.tests.property.Property;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The symbolic property over a fixed seed list: canonical forms against a tree evaluator, prover
 * answers against sampled bindings, canonicalisation identities and fact checking. It must check at
 * least {@value #MIN_DECISION_SAMPLES} samples against TRUE/FALSE answers (the floor), and
 * the prover must decide at least {@value #MIN_DECIDED_PERCENT}% of the questions, so that a prover
 * answering UNKNOWN to everything fails here. {@code -Ddvm.seed=S} replaces the seed list by S,
 * {@code -Ddvm.cases=N} sets the case count (the sample floor then applies only to the default run).
 */
class SymbolicPropertyTest {
    private static final long[] SEEDS = {20_250_301L, 3L, 777_777L};
    private static final int CASES = 3_000;
    private static final int BINDINGS = 40;
    private static final long MIN_DECISION_SAMPLES = 100_000;
    private static final int MIN_DECIDED_PERCENT = 20;

    @Test
    void canonicalFormsAndProverAgreeWithSampledBindings() {
        boolean overridden = System.getProperty("dvm.seed") != null || System.getProperty("dvm.cases") != null;
        long[] seeds = System.getProperty("dvm.seed") != null ? new long[] {Property.seedProperty(0)} : SEEDS;
        int cases = Property.casesProperty(CASES);
        SymbolicProperty sp = new SymbolicProperty();
        Property<SymbolicCase> property = sp.property(BINDINGS);
        List<String> failures = new ArrayList<>();
        for (long seed : seeds) {
            Property.Failure<SymbolicCase> f = property.run(seed, Math.max(1, cases / seeds.length), i -> { });
            if (f != null) {
                failures.add(f.toString());
            }
        }
        SymbolicProperty.Stats stats = sp.stats();
        System.out.print(stats.summary());
        if (!failures.isEmpty()) {
            fail(failures.size() + " seed(s) failed:\n\n" + String.join("\n\n", failures) + "\n\n" + stats.summary());
        }
        if (!overridden) {
            assertTrue(stats.decisionSamples() >= MIN_DECISION_SAMPLES,
                    "only " + stats.decisionSamples() + " samples checked against prover decisions:\n" + stats.summary());
        }
        assertTrue(100 * stats.decided() >= MIN_DECIDED_PERCENT * stats.questions(),
                "the prover decided too few questions:\n" + stats.summary());
    }
}
