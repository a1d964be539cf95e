package dev.rtrs.jmx.internal;

/**
 * A path of a client session, as {@code dev.rtrs:type=ClientPath,session=<session>,name=<src@dst>}: its state, round
 * trip time and counters, and the kernel's per-path {@code disconnect}, {@code reconnect} and {@code remove_path}.
 */
public interface ClientPathMXBean {

    String getSession();

    String getUuid();

    /** {@code src@dst}. */
    String getName();

    /** Local address of the path's connections; empty while not connected. */
    String getSource();

    String getDestination();

    /** CONNECTING, CONNECTED, RECONNECTING, CLOSING, CLOSED or DEAD. */
    String getState();

    int getConnections();

    /** The heartbeat's smoothed round-trip time; -1 while unknown. */
    long getRoundTripMicros();

    long getReads();

    long getReadBytes();

    long getWrites();

    long getWriteBytes();

    int getInflight();

    long getFailedOver();

    long getReconnects();

    long getFailedReconnects();

    /** Closes the path until it is reconnected; its IO fails over. */
    String disconnect();

    /** Connects the path again now and waits for it. */
    String reconnect();

    /** Closes the path and removes it from the session (never the last one). */
    String remove();
}
