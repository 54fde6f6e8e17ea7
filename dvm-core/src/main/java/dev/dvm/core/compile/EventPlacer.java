package dev.dvm.core.compile;

import dev.dvm.bytecode.Sync;
import dev.dvm.core.compile.Body.Instr;

/**
 * Pass 6: sets the event flags of one stage body laid out as loads, vector instructions, stores.
 * <ul>
 *   <li>MTE2→V: loads are grouped by their first vector reader; the last load of a group sets an
 *       event that reader waits on. With more groups than events, neighbouring groups share one
 *       event, set by their last load and waited by their earliest reader.
 *   <li>V→MTE3: stores are grouped by the vector instruction producing their source, which sets an
 *       event the group's first store waits on (merged the same way when events run short).
 *   <li>Back pairs, so tile i+1 never overwrites what tile i still reads: the last vector reader
 *       of any loaded buffer back-sets V→MTE2 and the first load back-waits it; the last store
 *       back-sets MTE3→V and the first vector writer of a stored buffer back-waits it.
 * </ul>
 * Each event id is set and waited once per tile, so no id is ever set twice before its wait.
 * Loads come first and stores last in the body ({@link Body#code()}), so program order and pipe
 * order agree.
 */
final class EventPlacer {
    private EventPlacer() {}

    /**
     * The flags of each instruction of {@code code} (from {@link Body#code()}), whose buffers
     * {@code alloc} placed. In an array, not the instructions: a replayed body shares its vector
     * instructions with its template and with other threads' instances.
     */
    static int[] place(Body body, Instr[] code, UbAllocator alloc, int events) {
        int vectorStart = body.loads.size();
        Instr[] vector = body.vector.toArray(new Instr[0]);
        int buffers = body.bufferCount;
        int[] firstReader = Body.firstReaders(body);
        int[] lastWriter = Body.lastWriters(body);
        int[] sync = new int[code.length];
        int loads = body.loads.size();
        int stores = body.stores.size();

        int[] loadKey = new int[loads];
        for (int i = 0; i < loads; i++) {
            loadKey[i] = firstReader[code[i].dst];
        }
        int[] loadBucket = buckets(loadKey, events);
        for (int i = 0; i < loads; i++) {
            boolean lastOfBucket = i + 1 == loads || loadBucket[i + 1] != loadBucket[i];
            if (lastOfBucket) {
                sync[i] |= Sync.of(Sync.SET, loadBucket[i]);
            }
            boolean firstOfBucket = i == 0 || loadBucket[i - 1] != loadBucket[i];
            if (firstOfBucket) {
                // the bucket's earliest reader is its first load's reader (loads are sorted by reader)
                sync[vectorStart + loadKey[i]] |= Sync.of(Sync.WAIT, loadBucket[i]);
            }
        }

        int[] storeKey = new int[stores];
        for (int i = 0; i < stores; i++) {
            storeKey[i] = lastWriter[code[vectorStart + vector.length + i].a];
        }
        int[] storeBucket = buckets(storeKey, events);
        for (int i = 0; i < stores; i++) {
            if (i == 0 || storeBucket[i - 1] != storeBucket[i]) {
                sync[vectorStart + vector.length + i] |= Sync.of(Sync.WAIT, storeBucket[i]);
            }
            if (i + 1 == stores || storeBucket[i + 1] != storeBucket[i]) {
                // the bucket's latest producer is its last store's producer
                sync[vectorStart + storeKey[i]] |= Sync.of(Sync.SET, storeBucket[i]);
            }
        }

        if (loads > 0 && vector.length > 0) {
            int lastReader = -1;
            for (int i = 0; i < vector.length; i++) {
                for (int l = 0; l < loads; l++) {
                    if (vector[i].reads(code[l].dst)) {
                        lastReader = i;
                    }
                }
            }
            sync[0] |= Sync.of(Sync.BACK_WAIT, 0);
            sync[vectorStart + lastReader] |= Sync.of(Sync.BACK_SET, 0);
        }
        if (stores > 0) {
            boolean[] stored = new boolean[buffers];
            for (int i = 0; i < stores; i++) {
                stored[code[vectorStart + vector.length + i].a] = true;
            }
            // temporaries may have lived where a stored buffer lives: wait before the first write into any of them
            int firstWriter = 0;
            while (!overlapsStored(body, alloc, stored, vector[firstWriter].dst)) {
                firstWriter++;
            }
            sync[vectorStart + firstWriter] |= Sync.of(Sync.BACK_WAIT, 0);
            sync[code.length - 1] |= Sync.of(Sync.BACK_SET, 0);
        }
        return sync;
    }

    private static boolean overlapsStored(Body body, UbAllocator alloc, boolean[] stored, int buffer) {
        int from = alloc.offset[buffer];
        int to = from + body.units(buffer);
        for (int b = 0; b < body.bufferCount; b++) {
            if (stored[b] && body.rowBuffer[b] == body.rowBuffer[buffer] && alloc.offset[b] < to && from < alloc.offset[b] + body.units(b)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Event id per entry of a sorted key list: equal keys share an id; with more distinct keys
     * than {@code events}, consecutive keys are merged into {@code events} buckets.
     */
    private static int[] buckets(int[] sortedKeys, int events) {
        int n = sortedKeys.length;
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            distinct += i == 0 || sortedKeys[i] != sortedKeys[i - 1] ? 1 : 0;
        }
        int[] bucket = new int[n];
        int group = -1;
        for (int i = 0; i < n; i++) {
            group += i == 0 || sortedKeys[i] != sortedKeys[i - 1] ? 1 : 0;
            bucket[i] = distinct <= events ? group : (int) ((long) group * events / distinct);
        }
        return bucket;
    }
}
