package dev.rtrs.jmx.internal;

import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.DynamicMBean;

/** The MBean of a server session, found by its name in every server at every call. */
final class ServerSessionBean implements ServerSessionMXBean {

    private final String name;
    private final Beans beans;

    ServerSessionBean(String name, Beans beans) {
        this.name = name;
        this.beans = beans;
    }

    static DynamicMBean mbean(String name, Beans beans) {
        return new DescribedMBean(
                new ServerSessionBean(name, beans),
                ServerSessionMXBean.class,
                "RTRS server session " + name,
                Map.of(
                        "Paths", "the session's paths with their state and counters",
                        "close", "force-closes the session: every path is disconnected",
                        "closePath", "closes one path (uuid or src@dst); the client reconnects it",
                        "resetStatistics", "zeroes the counters of every path"),
                Map.of("closePath", List.of("path")));
    }

    private List<ServerSession> sessions() {
        List<ServerSession> found = new ArrayList<>();
        for (ServerEndpoint e : beans.transport().servers()) {
            e.session(name).ifPresent(found::add);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("no server session named '" + name + "'");
        }
        return found;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getUuid() {
        return sessions().get(0).uuid().toString();
    }

    @Override
    public int getQueueDepth() {
        return sessions().get(0).queueDepth();
    }

    @Override
    public PathData[] getPaths() {
        return sessions().stream()
                .flatMap(s -> s.paths().stream())
                .map(PathData::of)
                .toArray(PathData[]::new);
    }

    @Override
    public String close() {
        List<ServerSession> sessions = sessions();
        sessions.forEach(ServerSession::close);
        return "Closed server session " + name;
    }

    @Override
    public String closePath(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a path (uuid or src@dst) is needed");
        }
        List<ServerSession> sessions = sessions();
        List<PathInfo> paths =
                sessions.stream().flatMap(s -> s.paths().stream()).toList();
        PathInfo p = Beans.path(name, paths, path.trim());
        for (ServerSession s : sessions) {
            if (s.closePath(p.uuid())) {
                return "Closed path " + p.name() + " of server session " + name + "; its client reconnects it";
            }
        }
        throw new IllegalStateException("server session " + name + " no longer has path " + p.name());
    }

    @Override
    public String resetStatistics() {
        sessions().forEach(ServerSession::resetStatistics);
        return "Reset the path statistics of server session " + name;
    }
}
