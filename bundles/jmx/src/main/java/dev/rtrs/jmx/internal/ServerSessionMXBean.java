package dev.rtrs.jmx.internal;

/**
 * A client's session on this appliance's servers, as {@code dev.rtrs:type=ServerSession,name=<session>}, with its
 * paths as composite data. When several servers have a session of that name, it stands for all of them.
 */
public interface ServerSessionMXBean {

    String getName();

    String getUuid();

    int getQueueDepth();

    PathData[] getPaths();

    /** Force-closes the session: every path is disconnected. */
    String close();

    /** Closes one path (its uuid or name {@code src@dst}); the client fails over and reconnects it. */
    String closePath(String path);

    /** Zeroes the counters of every path of the session. */
    String resetStatistics();
}
