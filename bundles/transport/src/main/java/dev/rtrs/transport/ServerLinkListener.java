package dev.rtrs.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** Told when sessions and paths come and go on a server. Methods are called on a transport thread. */
@ConsumerType
public interface ServerLinkListener {

    /** The session's first path is connected. */
    default void sessionConnected(ServerSession session) {}

    /** The session's last path is gone; the session is closed. */
    default void sessionDisconnected(ServerSession session) {}

    default void pathConnected(ServerSession session, PathInfo path) {}

    default void pathDisconnected(ServerSession session, PathInfo path) {}
}
