package dev.dvm.core;

/**
 * A point in a {@link Stream}'s queue, made by {@link Stream#record()}: it is done once every item
 * the stream had queued before the record has finished (run, skipped after an error, or waited).
 * Pass it to {@link Stream#waitFor(StreamEvent)} to order another stream's later launches after
 * that work, or wait for it on a thread with {@link #await()}.
 *
 * <p>An event only says that the work has finished, not that it succeeded: a failure is reported
 * by the recording stream's {@link Stream#synchronize()}. Events only point to work already
 * queued, so waits between streams can never form a cycle. Thread-safe and immutable.
 */
public final class StreamEvent {
    private final Stream stream;
    /** The recording stream's queued-item count at the record; done once that many items have completed. */
    private final long ticket;

    StreamEvent(Stream stream, long ticket) {
        this.stream = stream;
        this.ticket = ticket;
    }

    /** The stream that recorded this event. */
    public Stream stream() {
        return stream;
    }

    /** Whether everything the stream had queued before the record has finished. */
    public boolean isDone() {
        return stream.completed() >= ticket;
    }

    /**
     * Blocks until {@link #isDone()}. An interrupt does not end the wait (the queued work still
     * uses its tensors), but the thread's interrupt status is kept for the caller to see.
     */
    public void await() {
        stream.awaitCompleted(ticket);
    }

    @Override
    public String toString() {
        return "StreamEvent[" + stream.name() + " after item " + ticket + (isDone() ? ", done]" : ", pending]");
    }
}
