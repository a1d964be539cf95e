package dev.rtrs.jmx.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsLimits;
import dev.rtrs.transport.TransportException;
import java.util.List;
import java.util.Map;
import javax.management.DynamicMBean;

/** The MBean of one client session, found by its name at every call. */
final class ClientSessionBean implements ClientSessionMXBean {

    private final String name;
    private final Beans beans;

    ClientSessionBean(String name, Beans beans) {
        this.name = name;
        this.beans = beans;
    }

    static DynamicMBean mbean(String name, Beans beans) {
        return new DescribedMBean(
                new ClientSessionBean(name, beans),
                ClientSessionMXBean.class,
                "RTRS client session " + name,
                Map.of(
                        "Policy", "the multipath policy in use",
                        "MaxReconnectAttempts", "reconnect attempts of a broken path; -1: no limit",
                        "Paths", "the session's paths, each an MBean of type ClientPath",
                        "MappedDevices", "mapped devices configured to use the session",
                        "setPolicy", "switches the multipath policy (name or alias) while IO runs",
                        "setMaxReconnectAttempts", "sets the reconnect attempts of broken paths (-1: no limit)",
                        "addPath", "adds a path [src,]dst and connects it",
                        "resetStatistics", "zeroes the counters of every path"),
                Map.of(
                        "setPolicy", List.of("policy"),
                        "setMaxReconnectAttempts", List.of("attempts"),
                        "addPath", List.of("path", "port")));
    }

    private ClientSession session() {
        return beans.clientSession(name);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getUuid() {
        return session().uuid().toString();
    }

    @Override
    public String getState() {
        return session().state().name();
    }

    @Override
    public String getPolicy() {
        return session().policy();
    }

    @Override
    public int getQueueDepth() {
        return session().queueDepth();
    }

    @Override
    public int getMaxIoSize() {
        return session().maxIoSize();
    }

    @Override
    public int getMaxReconnectAttempts() {
        return session().maxReconnectAttempts();
    }

    @Override
    public String[] getPaths() {
        return session().paths().stream().map(PathInfo::name).toArray(String[]::new);
    }

    @Override
    public String[] getMappedDevices() {
        RnbdClientAdmin c = beans.clientOrNull();
        return c == null
                ? new String[0]
                : c.devices().stream()
                        .filter(d -> name.equals(d.session()))
                        .map(RnbdClientAdmin.MappedDeviceInfo::name)
                        .toArray(String[]::new);
    }

    @Override
    public String setPolicy(String policy) {
        ClientSession s = session();
        String resolved = beans.transport()
                .policyName(policy == null ? "" : policy)
                .orElseThrow(() -> new IllegalArgumentException("no multipath policy named '" + policy
                        + "' is installed (installed: "
                        + String.join(", ", beans.transport().policies().keySet()) + ")"));
        List<String> kept = List.of();
        if (beans.configuredByRnbd(name)) {
            try {
                kept = beans.client().setPolicy(name, resolved);
            } catch (BlockException e) {
                throw Beans.failed(e);
            }
        } else {
            s.setPolicy(resolved);
        }
        return "Session " + name + " uses " + resolved + Beans.kept(kept, name);
    }

    @Override
    public String setMaxReconnectAttempts(int attempts) {
        ClientSession s = session();
        if (attempts < -1 || attempts > RtrsLimits.MAX_RECONNECT_ATTEMPTS) {
            throw new IllegalArgumentException(
                    "attempts must be -1 or 0 to " + RtrsLimits.MAX_RECONNECT_ATTEMPTS + ", not " + attempts);
        }
        List<String> kept = List.of();
        try {
            if (beans.configuredByRnbd(name)) {
                kept = beans.client().setMaxReconnectAttempts(name, attempts);
            } else {
                s.setMaxReconnectAttempts(attempts);
            }
        } catch (BlockException | TransportException e) {
            throw Beans.failed(e);
        }
        return "Session " + name + " makes "
                + (attempts < 0 ? "unlimited reconnect attempts" : "at most " + attempts + " reconnect attempts")
                + Beans.kept(kept, name);
    }

    @Override
    public String addPath(String path, int port) {
        ClientSession s = session();
        int p = port == 0 ? RtrsLimits.DEFAULT_PORT : port;
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 1 to 65535");
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a path [src,]dst is needed");
        }
        PathAddress address = PathAddress.parse(path, p);
        try {
            if (beans.configuredByRnbd(name)) {
                List<String> kept = beans.client().addPath(name, path, p);
                return "Added path " + address + " to session " + name + Beans.kept(kept, name);
            }
            PathInfo added = s.addPath(address);
            return "Added path " + added.name() + " (" + added.uuid() + ") to session " + name
                    + Beans.kept(List.of(), name);
        } catch (BlockException | TransportException e) {
            throw Beans.failed(e);
        } catch (InterruptedException e) {
            throw Beans.interrupted();
        }
    }

    @Override
    public String resetStatistics() {
        session().resetStatistics();
        return "Reset the path statistics of client session " + name;
    }
}
