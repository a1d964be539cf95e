package dev.rtrs.verbs;

/** Connection-manager events, as in RDMA CM. */
public enum CmEventType {
    ADDR_RESOLVED,
    /** Address resolution failed: no local address or device reaches the destination. */
    ADDR_ERROR,
    ROUTE_RESOLVED,
    ROUTE_ERROR,
    /** On a listening id: a peer asks to connect; the event's id is the new connection's id. */
    CONNECT_REQUEST,
    /** The connect failed after it was sent (e.g. a malformed exchange). */
    CONNECT_ERROR,
    /**
     * Nobody listens at the destination (status {@code ECONNREFUSED}), or it did not answer within the connect
     * timeout ({@code ETIMEDOUT}).
     */
    UNREACHABLE,
    /** The peer rejected the connect request (status {@code ECONNREFUSED}); the event carries its private data. */
    REJECTED,
    /** The connection is up; on the active side the event carries the acceptor's private data. */
    ESTABLISHED,
    DISCONNECTED,
    /** The device went away; the id and its queue pair are unusable. */
    DEVICE_REMOVAL
}
