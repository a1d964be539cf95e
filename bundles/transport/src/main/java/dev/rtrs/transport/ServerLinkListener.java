package dev.rtrs.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when sessions and paths come and go on a server. Methods are called in the order of the events, one at a
 * time, on the server's event thread and with no transport lock held: they may call back into the transport, but
 * a slow method delays the events after it. A session's requests may reach the {@link RequestHandler} before
 * {@link #sessionConnected} is told.
 */
@ConsumerType
public interface ServerLinkListener {

    /** The session's first path is connected. */
    default void sessionConnected(ServerSession session) {}

    /** The session's last path is gone; the session is closed. */
    default void sessionDisconnected(ServerSession session) {}

    default void pathConnected(ServerSession session, PathInfo path) {}

    default void pathDisconnected(ServerSession session, PathInfo path) {}
}
