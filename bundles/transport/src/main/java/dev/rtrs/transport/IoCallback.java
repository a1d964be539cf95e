package dev.rtrs.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** Completion of a submitted IO. */
@ConsumerType
@FunctionalInterface
public interface IoCallback {

    /**
     * Called once per submitted IO on a transport thread; for a READ the data is in the caller's buffers.
     * Must not block: hand long work to another thread.
     *
     * @param errno 0 on success, else a positive Linux errno from the server or the transport
     */
    void onComplete(int errno);
}
