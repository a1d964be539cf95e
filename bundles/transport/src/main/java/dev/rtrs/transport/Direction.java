package dev.rtrs.transport;

/** Direction of an IO, seen from the client. */
public enum Direction {
    /** The server writes data into the client's buffers. */
    READ,
    /** The client writes data into a server chunk. */
    WRITE
}
