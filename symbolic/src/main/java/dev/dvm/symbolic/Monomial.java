package dev.dvm.symbolic;

import java.util.Arrays;

/**
 * A product of atoms raised to positive powers, atoms sorted and distinct. The empty monomial is
 * the constant 1 and never appears in a sum (constants are kept apart).
 */
final class Monomial implements Comparable<Monomial> {
    final Atom[] atoms;
    final int[] powers;
    private final int hash;

    Monomial(Atom[] atoms, int[] powers) {
        this.atoms = atoms;
        this.powers = powers;
        this.hash = 31 * Arrays.hashCode(atoms) + Arrays.hashCode(powers);
    }

    static Monomial of(Atom atom) {
        return new Monomial(new Atom[] {atom}, new int[] {1});
    }

    int degree() {
        int d = 0;
        for (int p : powers) {
            d += p;
        }
        return d;
    }

    /** The single atom of a monomial of degree 1, or null. */
    Atom linearAtom() {
        return atoms.length == 1 && powers[0] == 1 ? atoms[0] : null;
    }

    /** Merges the two sorted atom lists, adding powers of common atoms. */
    Monomial times(Monomial o) {
        Atom[] a = new Atom[atoms.length + o.atoms.length];
        int[] p = new int[a.length];
        int i = 0, j = 0, n = 0;
        while (i < atoms.length || j < o.atoms.length) {
            int c = i == atoms.length ? 1 : j == o.atoms.length ? -1 : atoms[i].compareTo(o.atoms[j]);
            if (c < 0) {
                a[n] = atoms[i];
                p[n++] = powers[i++];
            } else if (c > 0) {
                a[n] = o.atoms[j];
                p[n++] = o.powers[j++];
            } else {
                a[n] = atoms[i];
                p[n++] = Math.addExact(powers[i++], o.powers[j++]);
            }
        }
        return new Monomial(Arrays.copyOf(a, n), Arrays.copyOf(p, n));
    }

    /** This monomial divided by {@code o}, or null when {@code o} does not divide it. */
    Monomial dividedBy(Monomial o) {
        Atom[] a = new Atom[atoms.length];
        int[] p = new int[atoms.length];
        int n = 0, j = 0;
        for (int i = 0; i < atoms.length; i++) {
            int left = powers[i];
            if (j < o.atoms.length && atoms[i].equals(o.atoms[j])) {
                left -= o.powers[j++];
                if (left < 0) {
                    return null;
                }
            }
            if (left > 0) {
                a[n] = atoms[i];
                p[n++] = left;
            }
        }
        return j == o.atoms.length ? new Monomial(Arrays.copyOf(a, n), Arrays.copyOf(p, n)) : null;
    }

    boolean contains(Atom atom) {
        for (Atom a : atoms) {
            if (a.equals(atom)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int compareTo(Monomial o) {
        int n = Math.min(atoms.length, o.atoms.length);
        for (int i = 0; i < n; i++) {
            int c = atoms[i].compareTo(o.atoms[i]);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(o.powers[i], powers[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(atoms.length, o.atoms.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Monomial m && hash == m.hash && Arrays.equals(atoms, m.atoms) && Arrays.equals(powers, m.powers);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
