package dev.rtrs.transport;

/** State of one path, as the kernel names them. */
public enum PathState {
    CONNECTING,
    CONNECTED,
    RECONNECTING,
    CLOSING,
    CLOSED,
    /** Given up after the last reconnect attempt. */
    DEAD
}
