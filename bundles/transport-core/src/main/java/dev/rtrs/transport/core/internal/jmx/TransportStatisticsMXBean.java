package dev.rtrs.transport.core.internal.jmx;

/**
 * The transport's sessions and path statistics for JMX consoles, as object name
 * {@value TransportStatistics#OBJECT_NAME}. Read-only apart from the counters' reset.
 */
public interface TransportStatisticsMXBean {

    /** Client sessions with their paths. */
    SessionData[] getClientSessions();

    /** Server sessions (of every server) with their paths. */
    SessionData[] getServerSessions();

    /** Zeroes the path counters of every client and server session of that name; returns how many were reset. */
    int resetStatistics(String sessionName);
}
