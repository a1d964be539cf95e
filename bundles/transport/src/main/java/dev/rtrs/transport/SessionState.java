package dev.rtrs.transport;

/** State of a session as a whole. */
public enum SessionState {
    /** Paths are being connected for the first time. */
    CONNECTING,
    /** At least one path is connected. */
    CONNECTED,
    /** No path is connected; reconnects are under way. */
    RECONNECTING,
    CLOSED
}
