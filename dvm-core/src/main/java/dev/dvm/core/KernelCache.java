package dev.dvm.core;

import java.util.Arrays;

/**
 * Kernel instances keyed by (kernel, device spec, layout signature), bounded in bytes with
 * least-recently-used eviction. One cache may serve many kernels: every kernel uses
 * {@link #shared()} unless given another one with {@link Kernel#useCache(KernelCache)}.
 *
 * <p>The layout signature is what decides the program: each input's shape and strides, each
 * output's strides, with the strides of dims of size 1 (and of empty tensors) canonicalised to
 * the contiguous ones. An entry's size is the bytes its program and executable keep beyond what
 * the kernel's encoder shares, plus the instance's own descriptors and the entry itself.
 *
 * <p>Thread-safe. A lookup takes the cache's monitor briefly and allocates nothing; encoding on a
 * miss happens outside it, so a slow encode never blocks hits of other threads.
 */
public final class KernelCache {
    /** Budget of {@link #shared()} unless the system property {@code dvm.kernelCache.bytes} gives another. */
    public static final long DEFAULT_BUDGET_BYTES = 64L << 20;

    private static final KernelCache SHARED = new KernelCache(Long.getLong("dvm.kernelCache.bytes", DEFAULT_BUDGET_BYTES));

    /** Bytes an entry costs beyond its layout array and instance: the entry object (header, 7 fields). */
    static final long ENTRY_OVERHEAD_BYTES = 48;

    private long budgetBytes;
    /**
     * Open addressing with linear probing: {@link #hashes} holds each slot's entry hash, so a lookup
     * or an eviction walks two dense arrays and dereferences an entry only when its hash matches.
     * In a full cache the entries are cold in memory; chaining through them cost a cache miss per
     * entry passed (about a fifth of an encode's time with the default budget).
     */
    private Entry[] slots = new Entry[64];
    private int[] hashes = new int[64];
    /** Most recently used first; {@link #tail} is the next to evict. */
    private Entry head;
    private Entry tail;
    private int entries;
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;
    private long encodes;
    private long encodeNanos;

    /** A cache that keeps at most {@code budgetBytes} bytes of instances (at least 0: 0 caches nothing). */
    public KernelCache(long budgetBytes) {
        this.budgetBytes = checkBudget(budgetBytes);
    }

    /** The process-wide cache every kernel uses by default. */
    public static KernelCache shared() {
        return SHARED;
    }

    /** The byte budget. */
    public synchronized long budgetBytes() {
        return budgetBytes;
    }

    /** Changes the byte budget, evicting least recently used instances until the cache fits it. */
    public synchronized void setBudgetBytes(long budgetBytes) {
        this.budgetBytes = checkBudget(budgetBytes);
        evictOver(null);
    }

    /** Drops every instance (counted as evictions); counters other than entries and bytes stay. */
    public synchronized void clear() {
        while (tail != null) {
            evict(tail);
        }
    }

    /** A consistent snapshot of the counters. */
    public synchronized Stats stats() {
        return new Stats(hits, misses, evictions, entries, bytes, budgetBytes, encodes, encodeNanos);
    }

    /**
     * The cache's counters at one moment.
     *
     * @param hits lookups that found an instance
     * @param misses lookups that found none (the caller then normalised and encoded)
     * @param evictions instances dropped to stay within the budget or by {@link #clear()}
     * @param entries instances held now
     * @param bytes bytes the held instances account for
     * @param budgetBytes the budget {@code bytes} stays within
     * @param encodes instances encoded after a miss
     * @param encodeNanos nanoseconds spent in those encodes (shape inference, encoding, verification)
     */
    public record Stats(long hits, long misses, long evictions, long entries, long bytes, long budgetBytes, long encodes, long encodeNanos) {
        /** Average bytes per held instance (0 when empty). */
        public long bytesPerEntry() {
            return entries == 0 ? 0 : bytes / entries;
        }
    }

    // ---- internals (the launch path) ----

    /** One cached instance: a slot of the table and a node of the LRU list. */
    private static final class Entry {
        final Kernel.Prepared owner;
        final long[] layout;
        final int hash;
        final KernelInstance instance;
        final long bytes;
        Entry newer;
        Entry older;

        Entry(Kernel.Prepared owner, long[] layout, int hash, KernelInstance instance, long bytes) {
            this.owner = owner;
            this.layout = layout;
            this.hash = hash;
            this.instance = instance;
            this.bytes = bytes;
        }
    }

    /** Hash of a layout signature of {@code owner}: the first {@code length} longs of {@code layout}. */
    static int hash(Kernel.Prepared owner, long[] layout, int length) {
        int h = owner.identity;
        for (int i = 0; i < length; i++) {
            long v = layout[i];
            h = 31 * h + (int) (v ^ (v >>> 32));
        }
        return h ^ (h >>> 16);
    }

    /** The instance for this signature, marked most recently used, or null (a miss). Allocates nothing. */
    synchronized KernelInstance get(Kernel.Prepared owner, long[] layout, int length, int hash) {
        Entry e = find(owner, layout, length, hash);
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        touch(e);
        return e.instance;
    }

    /**
     * Adds {@code instance} (encoded in {@code nanos} after a miss) under a copy of the signature,
     * evicting least recently used entries to fit; returns the instance held for the signature,
     * which is another thread's when it encoded the same signature first. An instance larger
     * than the whole budget is returned without being held.
     */
    synchronized KernelInstance put(Kernel.Prepared owner, long[] layout, int length, int hash, KernelInstance instance, long nanos) {
        encodes++;
        encodeNanos += nanos;
        Entry raced = find(owner, layout, length, hash);
        if (raced != null) {
            touch(raced);
            return raced.instance;
        }
        long size = ENTRY_OVERHEAD_BYTES + 16 + 8L * length + instance.retainedBytes();
        if (size > budgetBytes) {
            return instance;
        }
        Entry e = new Entry(owner, Arrays.copyOf(layout, length), hash, instance, size);
        if (entries >= slots.length / 2) {
            grow();
        }
        insert(e);
        linkNewest(e);
        entries++;
        bytes += size;
        evictOver(e);
        return instance;
    }

    private Entry find(Kernel.Prepared owner, long[] layout, int length, int hash) {
        int mask = slots.length - 1;
        for (int i = home(hash, mask); slots[i] != null; i = (i + 1) & mask) {
            Entry e = slots[i];
            if (hashes[i] == hash && e.owner == owner && Arrays.equals(e.layout, 0, e.layout.length, layout, 0, length)) {
                return e;
            }
        }
        return null;
    }

    /** The first slot probed for {@code hash}: its bits mixed (layout hashes of consecutive shapes are close), then masked. */
    private static int home(int hash, int mask) {
        int h = hash * 0x9E37_79B9;
        return (h ^ h >>> 16) & mask;
    }

    /** Puts {@code e} into the first free slot from its home (the table has one: it is at most half full). */
    private void insert(Entry e) {
        int mask = slots.length - 1;
        int i = home(e.hash, mask);
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = e;
        hashes[i] = e.hash;
    }

    private void touch(Entry e) {
        if (head != e) {
            unlink(e);
            linkNewest(e);
        }
    }

    private void linkNewest(Entry e) {
        e.older = head;
        e.newer = null;
        if (head != null) {
            head.newer = e;
        }
        head = e;
        if (tail == null) {
            tail = e;
        }
    }

    private void unlink(Entry e) {
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            head = e.older;
        }
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            tail = e.newer;
        }
        e.newer = null;
        e.older = null;
    }

    /** Evicts from the old end until the bytes fit the budget, sparing {@code keep}. */
    private void evictOver(Entry keep) {
        while (bytes > budgetBytes && tail != null && tail != keep) {
            evict(tail);
        }
    }

    private void evict(Entry e) {
        remove(e);
        unlink(e);
        entries--;
        bytes -= e.bytes;
        evictions++;
        e.owner.kernel.evicted();
    }

    /**
     * Empties {@code e}'s slot, then moves later entries of its probe run back (backward-shift
     * deletion), so every entry stays reachable from its home without tombstones.
     */
    private void remove(Entry e) {
        int mask = slots.length - 1;
        int i = home(e.hash, mask);
        while (slots[i] != e) {
            i = (i + 1) & mask;
        }
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            // the entry at j may fill the hole at i when i lies on its probe path, from its home to j
            if (((j - home(hashes[j], mask)) & mask) >= ((j - i) & mask)) {
                slots[i] = slots[j];
                hashes[i] = hashes[j];
                i = j;
            }
        }
        slots[i] = null;
    }

    private void grow() {
        Entry[] old = slots;
        slots = new Entry[old.length * 2];
        hashes = new int[old.length * 2];
        for (Entry e : old) {
            if (e != null) {
                insert(e);
            }
        }
    }

    private static long checkBudget(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new DvmException("KernelCache: budget of " + budgetBytes + " bytes is negative; give 0 (cache nothing) or more");
        }
        return budgetBytes;
    }

    @Override
    public String toString() {
        return "KernelCache" + stats();
    }
}
