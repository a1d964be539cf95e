package dev.rtrs.jmx.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.TransportException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.management.DynamicMBean;

/** The MBean of one path of a client session, found by the session's name and the path's uuid at every call. */
final class ClientPathBean implements ClientPathMXBean {

    private final String session;
    private final UUID uuid;
    private final Beans beans;

    ClientPathBean(String session, UUID uuid, Beans beans) {
        this.session = session;
        this.uuid = uuid;
        this.beans = beans;
    }

    static DynamicMBean mbean(String session, UUID uuid, Beans beans) {
        return new DescribedMBean(
                new ClientPathBean(session, uuid, beans),
                ClientPathMXBean.class,
                "RTRS path " + uuid + " of client session " + session,
                Map.of(
                        "RoundTripMicros", "smoothed heartbeat round-trip time; -1 while unknown",
                        "Inflight", "IOs in flight on the path now",
                        "FailedOver", "IOs moved from this path to another after it failed",
                        "Reconnects", "reconnects that brought the path back",
                        "FailedReconnects", "reconnect attempts that failed",
                        "disconnect", "closes the path until it is reconnected; its IO fails over",
                        "reconnect", "connects the path again now and waits for it",
                        "remove", "closes the path and removes it from the session (never the last one)"),
                Map.of());
    }

    private ClientSession clientSession() {
        return beans.clientSession(session);
    }

    private PathInfo path() {
        return clientSession().paths().stream()
                .filter(p -> p.uuid().equals(uuid))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("session " + session + " has no path " + uuid));
    }

    private PathStatistics statistics() {
        return path().statistics();
    }

    @Override
    public String getSession() {
        return session;
    }

    @Override
    public String getUuid() {
        return uuid.toString();
    }

    @Override
    public String getName() {
        return path().name();
    }

    @Override
    public String getSource() {
        return PathData.address(path().source());
    }

    @Override
    public String getDestination() {
        return PathData.address(path().destination());
    }

    @Override
    public String getState() {
        return path().state().name();
    }

    @Override
    public int getConnections() {
        return path().connections();
    }

    @Override
    public long getRoundTripMicros() {
        return PathData.roundTripMicros(path());
    }

    @Override
    public long getReads() {
        return statistics().readCount();
    }

    @Override
    public long getReadBytes() {
        return statistics().readBytes();
    }

    @Override
    public long getWrites() {
        return statistics().writeCount();
    }

    @Override
    public long getWriteBytes() {
        return statistics().writeBytes();
    }

    @Override
    public int getInflight() {
        return statistics().inflight();
    }

    @Override
    public long getFailedOver() {
        return statistics().failedOver();
    }

    @Override
    public long getReconnects() {
        return statistics().reconnectsSuccessful();
    }

    @Override
    public long getFailedReconnects() {
        return statistics().reconnectsFailed();
    }

    @Override
    public String disconnect() {
        String name = path().name();
        try {
            clientSession().disconnectPath(uuid);
        } catch (TransportException e) {
            throw Beans.failed(e);
        }
        return "Disconnected path " + name + " of session " + session;
    }

    @Override
    public String reconnect() {
        String name = path().name();
        try {
            clientSession().reconnectPath(uuid);
        } catch (TransportException e) {
            throw Beans.failed(e);
        } catch (InterruptedException e) {
            throw Beans.interrupted();
        }
        return "Reconnected path " + name + " of session " + session;
    }

    @Override
    public String remove() {
        ClientSession s = clientSession();
        String name = path().name();
        List<String> kept = List.of();
        try {
            if (beans.configuredByRnbd(session)) {
                kept = beans.client().removePath(session, uuid);
            } else {
                s.removePath(uuid);
            }
        } catch (BlockException | TransportException e) {
            throw Beans.failed(e);
        }
        return "Removed path " + name + " from session " + session + Beans.kept(kept, session);
    }
}
