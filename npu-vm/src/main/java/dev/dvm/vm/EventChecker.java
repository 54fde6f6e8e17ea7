package dev.dvm.vm;

import static dev.dvm.vm.StagePlan.*;

import dev.dvm.bytecode.Opcode;
import dev.dvm.bytecode.Pipe;
import dev.dvm.bytecode.Sync;
import java.util.Arrays;

/**
 * Checked mode: models the event flags of one core as {@link Sync} describes them and tracks, per
 * 32-byte UB block, the last writer and the last reader on each pipe. Each pipe carries a vector
 * clock: the latest instruction of every pipe it is ordered after (its own, and what it learnt by
 * waiting on events, transitively). An access is a hazard when the block's last conflicting
 * access on another pipe is not in the accessing pipe's clock: a read after a write (RAW), a write
 * after a write (WAW) or a write after a read (WAR) with no event ordering them.
 */
final class EventChecker {
    private static final int MTE2 = 0, VECTOR = 1, MTE3 = 2;
    private static final String[] PIPE_NAMES = {"MTE2", "V", "MTE3"};
    /** Event pairs: forward MTE2->V, V->MTE3, back V->MTE2, MTE3->V. */
    private static final int MTE2_V = 0, V_MTE3 = 1, V_MTE2 = 2, MTE3_V = 3;
    private static final int[] PAIR_FROM = {MTE2, VECTOR, VECTOR, MTE3};
    private static final int[] PAIR_TO = {VECTOR, MTE3, MTE2, VECTOR};
    private static final int NO_PIPE = -1;

    private final long[][] clock = new long[3][3];
    private final boolean[][] pending = new boolean[4][Sync.EVENTS];
    private final long[][][] eventClock = new long[4][Sync.EVENTS][3];
    private final int[] writerPipe;
    private final long[] writerSeq;
    private final int[] writerAt;
    private final long[][] readSeq;
    private final int[][] readAt;
    private long seq;

    private StagePlan stage;
    private long first;
    private long last;

    EventChecker(int ubBytes) {
        int blocks = ubBytes / 32;
        writerPipe = new int[blocks];
        writerSeq = new long[blocks];
        writerAt = new int[blocks];
        readSeq = new long[3][blocks];
        readAt = new int[3][blocks];
    }

    /** Starts a core's range of tiles {@code [first, end)}: stages are fully ordered, so nothing carries over. */
    void begin(StagePlan st, long first, long end) {
        this.stage = st;
        this.first = first;
        this.last = end - 1;
        seq = 0;
        for (long[] c : clock) {
            Arrays.fill(c, 0);
        }
        for (boolean[] p : pending) {
            Arrays.fill(p, false);
        }
        Arrays.fill(writerPipe, NO_PIPE);
        Arrays.fill(writerSeq, 0);
        for (long[] r : readSeq) {
            Arrays.fill(r, 0);
        }
    }

    /** Waits, then checks and records instruction {@code k}'s UB accesses. */
    void before(long tile, int k) {
        Opcode op = stage.written(k);
        int sync = stage.sync(k);
        int pipe = pipe(op);
        switch (pipe) {
            case MTE2 -> backWait(tile, k, op, sync, V_MTE2);
            case VECTOR -> {
                backWait(tile, k, op, sync, MTE3_V);
                waitFor(tile, k, op, sync, Sync.WAIT, MTE2_V);
            }
            default -> waitFor(tile, k, op, sync, Sync.WAIT, V_MTE3);
        }
        seq++;
        clock[pipe][pipe] = seq;
        long[] access = stage.access();
        int a = k * 8;
        for (int i = 2; i < 8; i += 2) {
            read(tile, k, op, pipe, access[a + i], access[a + i + 1]);
        }
        write(tile, k, op, pipe, access[a], access[a + 1]);
    }

    /** Sets the events instruction {@code k} sets. */
    void after(long tile, int k) {
        Opcode op = stage.written(k);
        int sync = stage.sync(k);
        switch (pipe(op)) {
            case MTE2 -> set(tile, k, op, sync, Sync.SET, MTE2_V);
            case VECTOR -> {
                set(tile, k, op, sync, Sync.SET, V_MTE3);
                if (tile != last) {
                    set(tile, k, op, sync, Sync.BACK_SET, V_MTE2);
                }
            }
            default -> {
                if (tile != last) {
                    set(tile, k, op, sync, Sync.BACK_SET, MTE3_V);
                }
            }
        }
    }

    /** The cube's product reaches UB on the inbound path: it is ordered with the vector unit as MTE2 is. */
    private static int pipe(Opcode op) {
        return op.pipe() == Pipe.MTE2 || op.pipe() == Pipe.CUBE ? MTE2 : op.pipe() == Pipe.MTE3 ? MTE3 : VECTOR;
    }

    private void backWait(long tile, int k, Opcode op, int sync, int pair) {
        if (tile != first) {
            waitFor(tile, k, op, sync, Sync.BACK_WAIT, pair);
        }
    }

    private void waitFor(long tile, int k, Opcode op, int sync, int field, int pair) {
        if (!Sync.has(sync, field)) {
            return;
        }
        int e = Sync.event(sync, field);
        if (!pending[pair][e]) {
            throw hazard(tile, k, op, -1, "waits on " + pairName(pair) + " event " + e + ", which is not set (never set, or already waited)");
        }
        pending[pair][e] = false;
        long[] mine = clock[PAIR_TO[pair]];
        long[] theirs = eventClock[pair][e];
        for (int p = 0; p < 3; p++) {
            mine[p] = Math.max(mine[p], theirs[p]);
        }
    }

    private void set(long tile, int k, Opcode op, int sync, int field, int pair) {
        if (!Sync.has(sync, field)) {
            return;
        }
        int e = Sync.event(sync, field);
        if (pending[pair][e]) {
            throw hazard(tile, k, op, -1, "sets " + pairName(pair) + " event " + e + ", which is already set and not yet waited");
        }
        pending[pair][e] = true;
        System.arraycopy(clock[PAIR_FROM[pair]], 0, eventClock[pair][e], 0, 3);
    }

    private void read(long tile, int k, Opcode op, int pipe, long address, long bytes) {
        for (long b = address / 32, end = (address + bytes + 31) / 32; b < end && bytes > 0; b++) {
            int block = (int) b;
            int writer = writerPipe[block];
            if (writer != NO_PIPE && writer != pipe && writerSeq[block] > clock[pipe][writer]) {
                throw hazard(tile, k, op, b * 32, PIPE_NAMES[pipe] + " reads a block written by " + PIPE_NAMES[writer]
                        + " (instruction at byte " + writerAt[block] + ") with no wait on a " + PIPE_NAMES[writer] + "->" + PIPE_NAMES[pipe]
                        + " event set after that write");
            }
            readSeq[pipe][block] = seq;
            readAt[pipe][block] = stage.at(k);
        }
    }

    private void write(long tile, int k, Opcode op, int pipe, long address, long bytes) {
        for (long b = address / 32, end = (address + bytes + 31) / 32; b < end && bytes > 0; b++) {
            int block = (int) b;
            int writer = writerPipe[block];
            if (writer != NO_PIPE && writer != pipe && writerSeq[block] > clock[pipe][writer]) {
                throw hazard(tile, k, op, b * 32, PIPE_NAMES[pipe] + " overwrites a block written by " + PIPE_NAMES[writer]
                        + " (instruction at byte " + writerAt[block] + ") with no wait on a " + PIPE_NAMES[writer] + "->" + PIPE_NAMES[pipe]
                        + " event set after that write");
            }
            for (int p = 0; p < 3; p++) {
                if (p != pipe && readSeq[p][block] > clock[pipe][p]) {
                    throw hazard(tile, k, op, b * 32, PIPE_NAMES[pipe] + " overwrites a block still read by " + PIPE_NAMES[p]
                            + " (instruction at byte " + readAt[p][block] + ") with no wait on a " + PIPE_NAMES[p] + "->" + PIPE_NAMES[pipe]
                            + " event set after that read");
                }
            }
            writerPipe[block] = pipe;
            writerSeq[block] = seq;
            writerAt[block] = stage.at(k);
        }
    }

    private static String pairName(int pair) {
        return PIPE_NAMES[PAIR_FROM[pair]] + "->" + PIPE_NAMES[PAIR_TO[pair]] + (pair >= V_MTE2 ? " (back)" : "");
    }

    private HazardException hazard(long tile, int k, Opcode op, long ubAddress, String detail) {
        return new HazardException(stage.index, tile, stage.at(k), op, ubAddress, detail);
    }
}
