package dev.dvm.core;

import dev.dvm.vm.Device;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * An asynchronous launch queue on a {@link Device}, like a CUDA stream: {@link #launch} returns at
 * once and the stream's own worker thread runs the kernels one after another in launch order.
 *
 * <pre>{@code
 * try (Stream s1 = new Stream(device); Stream s2 = new Stream(device)) {
 *     s1.launch(produce, new Tensor[] {x}, new Tensor[] {y});
 *     StreamEvent ready = s1.record();
 *     s2.waitFor(ready);                                       // s2's later launches run after produce
 *     s2.launch(consume, new Tensor[] {y}, new Tensor[] {z});
 *     s2.synchronize();                                        // z is ready; errors are raised here
 * }
 * }</pre>
 *
 * <p><b>Errors.</b> A launch only checks at once what the stream itself needs (the kernel, one
 * non-null tensor per input and output, tensors the stream's threads may touch); everything the
 * kernel checks when it runs (dtypes, shapes, closed arenas) and anything that fails while it runs
 * is held and raised by the next {@link #synchronize()} (or {@link #close()}) as a
 * {@link DvmException} naming the stream, the failing kernel and its position in this stream's
 * launch sequence, with the original exception as its cause. Like CUDA's sticky errors, the first
 * failure sticks: every launch that comes to run after it is skipped (its outputs keep their
 * previous contents), because later kernels usually consume the failed one's outputs and would
 * only compute garbage. Unlike CUDA, reporting clears it: once {@code synchronize} has thrown, the
 * stream runs new launches again.
 *
 * <p><b>Inline launches.</b> Handing a tiny kernel to another thread costs more than running it,
 * so when the stream is idle (nothing queued or running) and a launch's inputs and outputs hold
 * fewer than {@link Options#inlineElements()} elements together, the calling thread runs it before
 * {@code launch} returns. Results are the same either way, and so are errors: an inline launch's
 * failure is also held for {@code synchronize}, so code behaves the same whichever path a launch
 * took. Order is kept, since an idle stream has nothing earlier left to run.
 *
 * <p><b>Confined arenas.</b> A tensor of an {@link Arena#ofConfined() confined} arena may only be
 * touched by the thread that made the arena, never by the stream's worker. Such a launch runs
 * inline, whatever its size, when the stream is idle and the caller owns the arena; otherwise
 * {@code launch} rejects it with a {@link DvmException} naming the kernel and the tensor: allocate
 * from {@link Arena#ofShared()} (or an auto or global arena) to launch asynchronously.
 *
 * <p><b>Tensors stay referenced until their launch has run.</b> The stream copies the tensor
 * references (the caller may reuse its arrays at once) but not the data: keep the arenas open, and
 * do not write the inputs or read the outputs, until {@code synchronize} (or an event recorded
 * after the launch) says the launch has run.
 *
 * <p><b>Bounded.</b> At most {@link Options#capacity()} launches and waits are queued; launching on
 * a full stream waits (spinning, then yielding, then parking, with Agrona's backoff) until the
 * worker frees a slot. Slots are preallocated records reused in a ring, so a launch allocates
 * nothing of its own. The ring is handed over with two counters rather than an Agrona queue:
 * Agrona 2's queues reach {@code jdk.internal.misc.Unsafe}, which JDK 25 gives them only with
 * {@code --add-exports java.base/jdk.internal.misc=...} on every JVM that uses dvm4j, and a
 * lock-serialised producer with one consumer needs nothing more than the counters.
 *
 * <p>Thread-safe: launches, records, waits, synchronize and close from several threads are
 * serialised by a lock (uncontended when one thread owns the stream), and launches run in the
 * order they took it. A stream is one daemon thread: {@link #close()} it when done.
 */
public final class Stream implements AutoCloseable {
    /**
     * How a stream queues and when it runs launches on the caller.
     *
     * @param capacity launches and waits queued at most before {@link Stream#launch} waits for a
     *     free slot, 1 to 1,048,576 ({@link #DEFAULT_CAPACITY})
     * @param inlineElements an idle stream runs a launch on the caller's thread when its inputs
     *     and outputs hold fewer elements than this together; 0 never runs a launch inline for its
     *     size ({@link #DEFAULT_INLINE_ELEMENTS})
     */
    public record Options(int capacity, long inlineElements) {
        /** Checks the settings. */
        public Options {
            if (capacity < 1 || capacity > MAX_CAPACITY) {
                throw new DvmException("stream capacity " + capacity + " is out of range; give 1 to " + MAX_CAPACITY);
            }
            if (inlineElements < 0) {
                throw new DvmException("stream inlineElements " + inlineElements + " is negative; give 0 (never inline) or more");
            }
        }

        /** {@link #DEFAULT_CAPACITY} and {@link #DEFAULT_INLINE_ELEMENTS}. */
        public static Options defaults() {
            return new Options(DEFAULT_CAPACITY, DEFAULT_INLINE_ELEMENTS);
        }
    }

    /** Queued items by default: enough to run hundreds of small kernels ahead, a few KiB of records. */
    public static final int DEFAULT_CAPACITY = 256;

    /**
     * Elements below which an idle stream runs a launch inline, by default. At 0.3–0.5 ns an
     * element, 4K elements are 1–2 µs of work, about what waking a parked worker costs, so smaller
     * kernels finish sooner on the caller than the hand-off would take.
     */
    public static final long DEFAULT_INLINE_ELEMENTS = 4_096;

    private static final int MAX_CAPACITY = 1 << 20;
    private static final AtomicInteger IDS = new AtomicInteger();

    private final Device device;
    private final String name;
    private final long inlineElements;
    /** The preallocated records; item n (counting queued items from 0) uses ring[n % length]. */
    private final Item[] ring;
    private final Thread worker;
    private final ReentrantLock lock = new ReentrantLock();
    /** Used only by the lock holder, to wait for a free slot or for the drain. */
    private final IdleStrategy callerIdle = waitIdle();

    // Guarded by lock.
    private long launches;
    private boolean closed;

    /**
     * Items queued; written under the lock after the item's record is filled, so the worker's
     * read of it publishes the record.
     */
    private volatile long submitted;
    /** Items the worker has finished, in queue order; written by the worker only, after it let go of the record. */
    private volatile long completed;
    private volatile boolean stopping;
    private volatile long inlineLaunches;
    /**
     * The pending error and the launches skipped since. Launches run on one thread at a time: the
     * worker, or an inline caller while the stream is idle (the worker has finished every item,
     * and the hand-off through {@code submitted} orders its next read after the caller's writes);
     * synchronize reads them only after the drain.
     */
    private volatile Failure failure;
    private long skipped;

    /** A stream on {@code device} with {@link Options#defaults()}. */
    public Stream(Device device) {
        this(device, Options.defaults());
    }

    /** A stream on {@code device}; its worker thread starts now. */
    public Stream(Device device, Options options) {
        if (device == null || options == null) {
            throw new DvmException("Stream: device and options must not be null; pass a Device and e.g. Stream.Options.defaults()");
        }
        this.device = device;
        this.name = "stream-" + IDS.incrementAndGet();
        this.inlineElements = options.inlineElements();
        this.ring = new Item[options.capacity()];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new Item();
        }
        this.worker = new Thread(this::work, "dvm-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    /** The stream's name ({@code stream-N}), used in its errors; its worker thread is {@code dvm-stream-N}. */
    public String name() {
        return name;
    }

    /** The device the stream's kernels run on. */
    public Device device() {
        return device;
    }

    /** Launches this stream has run on the caller's thread so far (small kernels or confined tensors on an idle stream). */
    public long inlineLaunches() {
        return inlineLaunches;
    }

    /**
     * Queues {@code kernel} to run on {@code inputs} into {@code outputs} after everything queued
     * before, and returns; the arrays may be reused at once, the tensors must stay usable until
     * the launch has run. Failures of the kernel are raised by {@link #synchronize()}.
     *
     * @throws DvmException now, when the stream is closed, the kernel or a tensor is missing, the
     *     counts do not match the kernel's, or a tensor's confined arena keeps the stream from
     *     running the launch (see the class comment)
     */
    public void launch(Kernel kernel, Tensor[] inputs, Tensor[] outputs) {
        checkArguments(kernel, inputs, outputs);
        lock.lock();
        try {
            if (closed) {
                throw closedError("launch of kernel '" + kernel.name() + "'");
            }
            boolean idle = completed == submitted;
            boolean confined = checkReachable(kernel, "input", inputs, idle) | checkReachable(kernel, "output", outputs, idle);
            long position = launches++;
            if (idle && (confined || smallerThanInline(inputs, outputs))) {
                execute(kernel, inputs, outputs, position);
                inlineLaunches++;
                return;
            }
            claimSlot().launch(kernel, inputs, outputs, position);
            publish();
        } finally {
            lock.unlock();
        }
    }

    /** An event that is done once everything queued on this stream so far has finished. */
    public StreamEvent record() {
        lock.lock();
        try {
            if (closed) {
                throw closedError("record");
            }
            return new StreamEvent(this, submitted);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes this stream's later launches wait until {@code event} is done (on any stream,
     * including a closed one); returns at once. An event of this stream, or one already done,
     * needs no wait: the stream runs its own work in order.
     */
    public void waitFor(StreamEvent event) {
        if (event == null) {
            throw new DvmException("stream '" + name + "': waitFor(null); pass an event from Stream.record()");
        }
        lock.lock();
        try {
            if (closed) {
                throw closedError("waitFor");
            }
            if (event.stream() == this || event.isDone()) {
                return;
            }
            claimSlot().waitFor(event);
            publish();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until everything queued so far has finished, then raises the first failure since the
     * last report, if any, and clears it (see the class comment). An interrupt does not end the
     * wait (the queued work still uses its tensors); the interrupt status is kept.
     *
     * @throws DvmException naming the failing kernel and its launch position, caused by the original error
     */
    public void synchronize() {
        lock.lock();
        try {
            awaitCompleted(submitted, callerIdle);
            reportFailure();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs everything queued, stops the worker thread and raises a failure that no
     * {@link #synchronize()} reported yet; later launches, records and waits fail. Closing again
     * does nothing.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            stopping = true;
            LockSupport.unpark(worker);
            joinWorker();
            reportFailure();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Stream[" + name + ", " + (submitted - completed) + " queued" + (closed ? ", closed]" : "]");
    }

    // ---- used by StreamEvent ----

    long completed() {
        return completed;
    }

    /** Waits until {@code ticket} items have completed. */
    void awaitCompleted(long ticket) {
        if (completed < ticket) {
            awaitCompleted(ticket, waitIdle());
        }
    }

    // ---- internals ----

    /** How waiters back off: spin, yield, then park up to 100 µs, so a finished wait is seen within about that long. */
    private static IdleStrategy waitIdle() {
        return new BackoffIdleStrategy(200, 20, 1_000, 100_000);
    }

    private void awaitCompleted(long ticket, IdleStrategy idle) {
        boolean interrupted = false;
        idle.reset();
        while (completed < ticket) {
            // A pending interrupt makes parking return at once; clear it so the wait backs off, and restore it after.
            interrupted |= Thread.interrupted();
            idle.idle();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The error for {@code what} on a closed stream; built only then, so a launch makes no strings. */
    private DvmException closedError(String what) {
        return new DvmException("stream '" + name + "': " + what + " on a closed stream; use an open stream");
    }

    private static void checkArguments(Kernel kernel, Tensor[] inputs, Tensor[] outputs) {
        if (kernel == null) {
            throw new DvmException("Stream.launch: kernel must not be null; pass a Kernel from KernelBuilder.build()");
        }
        checkTensors(kernel, "input", inputs, kernel.inputCount());
        checkTensors(kernel, "output", outputs, kernel.outputCount());
    }

    private static void checkTensors(Kernel kernel, String kind, Tensor[] tensors, int expected) {
        if (tensors == null || tensors.length != expected) {
            throw new DvmException("kernel '" + kernel.name() + "': " + (tensors == null ? "null" : tensors.length) + " " + kind
                    + "s given but it has " + expected + "; pass one tensor per " + kind);
        }
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i] == null) {
                throw new DvmException("kernel '" + kernel.name() + "' " + kind + " " + i + ": null tensor; pass a tensor");
            }
        }
    }

    /**
     * Whether some tensor is confined so that only the caller may touch it; rejects one the
     * launch could not run with (confined to another thread, or to the caller while the stream is busy).
     */
    private boolean checkReachable(Kernel kernel, String kind, Tensor[] tensors, boolean idle) {
        boolean confined = false;
        for (int i = 0; i < tensors.length; i++) {
            MemorySegment segment = tensors[i].segment();
            if (segment.isAccessibleBy(worker)) {
                continue;
            }
            String tensor = "stream '" + name + "': kernel '" + kernel.name() + "' " + kind + " " + i + " is a tensor of a confined arena";
            if (!segment.isAccessibleBy(Thread.currentThread())) {
                throw new DvmException(tensor + " owned by another thread, which neither this thread nor the stream's worker may touch;"
                        + " allocate it from Arena.ofShared()");
            }
            if (!idle) {
                throw new DvmException(tensor + ", which the stream's worker thread may not touch, and the stream is busy, so the launch"
                        + " cannot run inline on this thread; allocate it from Arena.ofShared() (or synchronize() first to run it inline)");
            }
            confined = true;
        }
        return confined;
    }

    private boolean smallerThanInline(Tensor[] inputs, Tensor[] outputs) {
        long left = inlineElements;
        for (Tensor t : inputs) {
            left -= t.elementCount();
        }
        for (Tensor t : outputs) {
            left -= t.elementCount();
        }
        // Each count is below 2^63, so one launch's sum could wrap only with more tensors than a kernel has.
        return left > 0;
    }

    /** The record for the next item, once the worker has finished the item that used it last. */
    private Item claimSlot() {
        long reusable = submitted - ring.length + 1;
        if (completed < reusable) {
            awaitCompleted(reusable, callerIdle);
        }
        return ring[(int) (submitted % ring.length)];
    }

    /** Hands the claimed record to the worker: the volatile write publishes its fields. */
    private void publish() {
        submitted = submitted + 1;
        LockSupport.unpark(worker);
    }

    /** Runs one launch, or skips it while an earlier failure is pending. */
    private void execute(Kernel kernel, Tensor[] inputs, Tensor[] outputs, long position) {
        if (failure != null) {
            skipped++;
            return;
        }
        try {
            kernel.run(device, inputs, outputs);
        } catch (Throwable t) {
            // Errors too: a worker that died would leave synchronize waiting forever, so every failure is held for it.
            failure = new Failure(kernel.name(), position, t);
        }
    }

    private void reportFailure() {
        Failure f = failure;
        if (f == null) {
            return;
        }
        long skippedLaunches = skipped;
        failure = null;
        skipped = 0;
        Throwable cause = f.cause();
        throw new DvmException("stream '" + name + "': kernel '" + f.kernel() + "' (launch " + f.position()
                + " on this stream, counting from 0) failed: " + (cause.getMessage() != null ? cause.getMessage() : cause.toString())
                + "; " + skippedLaunches + " later launch" + (skippedLaunches == 1 ? " was" : "es were") + " skipped", cause);
    }

    private void joinWorker() {
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                // The worker still uses the queued tensors: finish the drain, and keep the interrupt for the caller.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The worker thread: runs queued items in order until closed and drained. */
    private void work() {
        // Like the device's core workers; a launch unparks the worker, so a long park never delays work.
        IdleStrategy queueIdle = new BackoffIdleStrategy(200, 20, 1_000, 1_000_000);
        IdleStrategy eventIdle = waitIdle();
        long done = 0;
        while (true) {
            // Read the flag before the count: nothing queued after seeing it set means everything was drained.
            boolean stop = stopping;
            if (submitted == done) {
                if (stop) {
                    return;
                }
                queueIdle.idle();
                continue;
            }
            queueIdle.reset();
            Item item = ring[(int) (done % ring.length)];
            if (item.kernel != null) {
                execute(item.kernel, item.inputs, item.outputs, item.position);
            } else {
                eventIdle.reset();
                while (!item.event.isDone()) {
                    eventIdle.idle();
                }
            }
            item.clear();
            completed = ++done;
        }
    }

    /** The first failure since the last report: which launch, and what it threw. */
    private record Failure(String kernel, long position, Throwable cause) {
    }

    /** A reusable queue record: a launch (kernel set) or a wait for an event. */
    private static final class Item {
        Kernel kernel;
        StreamEvent event;
        long position;
        Tensor[] inputs;
        Tensor[] outputs;
        /** Arrays by length, kept so kernels of any arity reuse them: Kernel.run wants exactly one tensor per slot. */
        private Tensor[][] inputArrays = new Tensor[0][];
        private Tensor[][] outputArrays = new Tensor[0][];

        void launch(Kernel kernel, Tensor[] inputs, Tensor[] outputs, long position) {
            this.kernel = kernel;
            this.position = position;
            if (inputArrays.length <= inputs.length) {
                inputArrays = Arrays.copyOf(inputArrays, inputs.length + 1);
            }
            if (outputArrays.length <= outputs.length) {
                outputArrays = Arrays.copyOf(outputArrays, outputs.length + 1);
            }
            this.inputs = copy(inputArrays, inputs);
            this.outputs = copy(outputArrays, outputs);
        }

        void waitFor(StreamEvent event) {
            this.event = event;
        }

        /** Drops every reference, so a finished launch keeps no tensor (or arena memory) reachable. */
        void clear() {
            kernel = null;
            event = null;
            if (inputs != null) {
                Arrays.fill(inputs, null);
                Arrays.fill(outputs, null);
                inputs = null;
                outputs = null;
            }
        }

        private static Tensor[] copy(Tensor[][] byLength, Tensor[] from) {
            Tensor[] to = byLength[from.length];
            if (to == null) {
                to = new Tensor[from.length];
                byLength[from.length] = to;
            }
            System.arraycopy(from, 0, to, 0, from.length);
            return to;
        }
    }
}
