package dev.dvm.bytecode;

/**
 * The per-instruction event flags, packed in 16 bits of the head word: four fields of one
 * "present" bit and a 3-bit event id (8 events per pipe pair).
 *
 * <p>Which pipe pair a field names depends on the instruction's pipe, as on the NPU:
 * <table>
 *   <caption>fields by pipe</caption>
 *   <tr><th>pipe</th><th>WAIT</th><th>SET</th><th>BACK_WAIT (not on a stage's first tile)</th><th>BACK_SET (not on its last tile)</th></tr>
 *   <tr><td>MTE2 (load)</td><td>-</td><td>MTE2→V</td><td>V→MTE2</td><td>-</td></tr>
 *   <tr><td>CUBE (matmul)</td><td>-</td><td>MTE2→V</td><td>V→MTE2</td><td>-</td></tr>
 *   <tr><td>VECTOR</td><td>MTE2→V</td><td>V→MTE3</td><td>MTE3→V</td><td>V→MTE2</td></tr>
 *   <tr><td>MTE3 (store)</td><td>V→MTE3</td><td>-</td><td>-</td><td>MTE3→V</td></tr>
 * </table>
 * A wait runs before the instruction, a set after it. The forward pairs (MTE2→V, V→MTE3) order
 * work inside one tile; the back pairs (V→MTE2, MTE3→V) stop tile <i>i+1</i> from overwriting a
 * buffer tile <i>i</i> still reads. The cube's product reaches UB on the inbound path, so CUBE
 * takes MTE2's fields and events (the VM's checked mode orders the two as one inbound pipe).
 * Control instructions carry no flags.
 */
public final class Sync {
    /** No flags. */
    public static final int NONE = 0;

    /** Field positions inside the 16 sync bits. */
    public static final int WAIT = 0, SET = 4, BACK_WAIT = 8, BACK_SET = 12;

    /** Events per pipe pair. */
    public static final int EVENTS = 8;

    private Sync() {}

    /** The sync bits with {@code field} (one of WAIT, SET, BACK_WAIT, BACK_SET) naming {@code event}. */
    public static int of(int field, int event) {
        if (event < 0 || event >= EVENTS) {
            throw new IllegalArgumentException("event id " + event + " outside 0.." + (EVENTS - 1));
        }
        return (1 | event << 1) << field;
    }

    /** Whether {@code field} is present in {@code sync}. */
    public static boolean has(int sync, int field) {
        return (sync >>> field & 1) != 0;
    }

    /** The event id of {@code field} in {@code sync} (meaningful only when present). */
    public static int event(int sync, int field) {
        return sync >>> (field + 1) & 7;
    }

    /** Text such as {@code wait=2 set=0}, empty for none; used by the disassembler. */
    public static String toString(int sync) {
        StringBuilder sb = new StringBuilder();
        append(sb, sync, WAIT, "wait");
        append(sb, sync, SET, "set");
        append(sb, sync, BACK_WAIT, "bwait");
        append(sb, sync, BACK_SET, "bset");
        return sb.toString();
    }

    private static void append(StringBuilder sb, int sync, int field, String name) {
        if (has(sync, field)) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(name).append('=').append(event(sync, field));
        }
    }
}
