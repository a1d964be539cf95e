package dev.rtrs.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** The server application: gets each IO. */
@ConsumerType
@FunctionalInterface
public interface RequestHandler {

    /**
     * Called on a transport thread for each IO, once its chunk is fenced (always_invalidate) and its
     * message validated. Must not block: respond now, or later from another thread.
     */
    void onRequest(ServerRequest request);
}
