package dev.rtrs.jmx.internal;

/**
 * A client session, as {@code dev.rtrs:type=ClientSession,name=<session>}. Its paths are MBeans of their own
 * ({@code type=ClientPath}). A change to a session that mapped devices use is kept in their configuration, as the
 * shell's commands do.
 */
public interface ClientSessionMXBean {

    String getName();

    String getUuid();

    /** CONNECTING, CONNECTED, RECONNECTING or CLOSED. */
    String getState();

    String getPolicy();

    int getQueueDepth();

    int getMaxIoSize();

    int getMaxReconnectAttempts();

    /** The path names ({@code src@dst}). */
    String[] getPaths();

    /** The mapped devices configured to use the session. */
    String[] getMappedDevices();

    /** Switches the multipath policy (by name or alias) while IO runs. */
    String setPolicy(String policy);

    /** Reconnect attempts of a broken path before it is given up: -1 for no limit, or 0 to 9999. */
    String setMaxReconnectAttempts(int attempts);

    /** Adds a path ({@code [src,]dst}) and connects it; {@code port} for a path that names none (0: 1234). */
    String addPath(String path, int port);

    /** Zeroes the counters of every path of the session. */
    String resetStatistics();
}
