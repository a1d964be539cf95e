package dev.rtrs.transport;

import java.util.List;
import java.util.UUID;
import org.osgi.annotation.versioning.ProviderType;

/** One client's session as the server sees it. */
@ProviderType
public interface ServerSession {

    String name();

    UUID uuid();

    /** Chunks of the session. */
    int queueDepth();

    /** Snapshot of the session's paths. */
    List<PathInfo> paths();

    void resetStatistics();

    /**
     * Force-closes one path of the session: its connections are disconnected, the client fails its IO over to the
     * other paths and reconnects this one. Non-blocking beyond the teardown.
     *
     * @return false when the session has no path with that uuid
     */
    boolean closePath(UUID pathUuid);

    /** Force-closes the session: every path is disconnected. */
    void close();
}
