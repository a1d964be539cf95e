package dev.rtrs.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** Told when a client session's link changes. */
@ConsumerType
@FunctionalInterface
public interface ClientLinkListener {

    /** Called on a transport thread; must not block. */
    void onLinkEvent(ClientSession session, LinkEvent event);

    enum LinkEvent {
        /** The session has its first connected path. */
        CONNECTED,
        /** No path of the session is connected any more; IO waits for a reconnect or fails. */
        DISCONNECTED,
        /** A path came back after the session had been disconnected. */
        RECONNECTED
    }
}
