package dev.dvm.tests.reference;

/** Double-precision special functions the JDK lacks, for the reference evaluator. */
public final class RefMath {
    private RefMath() {}

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    /**
     * The error function to about 1e-14: its Maclaurin series for |x| < 3 (terms stay below
     * e^9, so little is lost to cancellation), else 1 - erfc(x) with erfc's continued fraction.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a;
            double sum = a;
            double x2 = a * a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else {
            // erfc(a) = exp(-a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))), evaluated from the tail.
            double f = a;
            for (int k = 60; k >= 1; k--) {
                f = a + (k / 2.0) / f;
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return Math.copySign(r, x);
    }
}
