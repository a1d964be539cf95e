package dev.rtrs.transport.core.internal.server;

import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.ServerSession;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client's session on the server: its chunks and its paths. Paths are added and removed under the endpoint's
 * lock. The chunks (their state; each path has memory of its own for them) are made when the first path completes
 * its handshake, not at a peer's first connect request, and are then fixed for the session's life.
 */
final class ServerSessionImpl implements ServerSession {

    private final ServerEndpointImpl endpoint;
    private final UUID uuid;
    private volatile String name;
    final int queueDepth;
    final int chunkSize;
    private volatile ServerIo[] ios;

    final ConcurrentHashMap<UUID, ServerPath> paths = new ConcurrentHashMap<>();
    private volatile boolean announced;

    ServerSessionImpl(ServerEndpointImpl endpoint, UUID uuid, int queueDepth, int chunkSize) {
        this.endpoint = endpoint;
        this.uuid = uuid;
        this.name = uuid.toString();
        this.queueDepth = queueDepth;
        this.chunkSize = chunkSize;
    }

    /** The chunks; made by the first call, which the first path's valid INFO_REQ makes. */
    synchronized ServerIo[] createChunks() {
        if (ios == null) {
            ServerIo[] all = new ServerIo[queueDepth];
            for (int i = 0; i < queueDepth; i++) {
                all[i] = new ServerIo(this, i);
            }
            ios = all;
        }
        return ios;
    }

    /** The chunks, or null before the first path completed its handshake. */
    ServerIo[] ios() {
        return ios;
    }

    ServerEndpointImpl endpoint() {
        return endpoint;
    }

    /** The name comes with the first path's INFO_REQ. */
    void name(String value) {
        this.name = value;
    }

    /** True once, for the first path that completes its INFO exchange. */
    boolean announce() {
        synchronized (this) {
            if (announced) {
                return false;
            }
            announced = true;
            return true;
        }
    }

    boolean wasAnnounced() {
        return announced;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public UUID uuid() {
        return uuid;
    }

    @Override
    public int queueDepth() {
        return queueDepth;
    }

    @Override
    public List<PathInfo> paths() {
        List<PathInfo> list = new ArrayList<>();
        for (ServerPath p : paths.values()) {
            list.add(p.info());
        }
        return list;
    }

    @Override
    public void resetStatistics() {
        for (ServerPath p : paths.values()) {
            p.counters.reset();
        }
    }

    @Override
    public boolean closePath(UUID pathUuid) {
        ServerPath p = paths.get(pathUuid);
        if (p == null) {
            return false;
        }
        p.close("closed by the server");
        return true;
    }

    @Override
    public void close() {
        for (ServerPath p : List.copyOf(paths.values())) {
            p.close("closed by the server");
        }
    }

    @Override
    public String toString() {
        return "session " + name;
    }
}
