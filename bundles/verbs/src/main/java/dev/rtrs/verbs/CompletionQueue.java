package dev.rtrs.verbs;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A bounded completion queue. A provider that cannot queue a completion because the queue is full
 * puts the queue into the overrun state: {@link #poll} then throws, and the queue pairs using the
 * queue move to the error state, as a NIC reports a CQ overrun. It never blocks the sender.
 *
 * <p>Usage without lost wake-ups: poll until empty, {@link #requestNotify()}, poll once more.
 */
@ProviderType
public interface CompletionQueue extends AutoCloseable {

    RdmaDevice device();

    int capacity();

    /**
     * Moves up to {@code completions.length} completions into the given reusable objects, oldest first.
     * Non-blocking; safe to call from any thread, though one poller per queue is the intended use.
     *
     * @return how many entries from index 0 were filled
     * @throws VerbsException {@code EOVERFLOW} after an overrun, {@code EBADF} once closed
     */
    int poll(WorkCompletion[] completions) throws VerbsException;

    /** Arms the listener for the next completion (or a completion already queued). Non-blocking. */
    void requestNotify();

    /** Destroys the queue; queue pairs using it must be closed first. */
    @Override
    void close();
}
