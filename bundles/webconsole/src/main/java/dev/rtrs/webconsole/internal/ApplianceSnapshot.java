package dev.rtrs.webconsole.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.OpenDeviceInfo;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.SessionState;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What the page and data.json show, read once from the admin services present, so that one response never mixes two
 * moments. Lists are sorted by name; a part is empty when its service is absent.
 *
 * @param timeMillis when it was read, milliseconds since the epoch
 */
record ApplianceSnapshot(
        long timeMillis, Optional<Transport> transport, Optional<BlockClient> client, Optional<BlockServer> server) {

    /** The transport: its installed multipath policies (name to aliases), client sessions and servers. */
    record Transport(
            Map<String, List<String>> policies, List<ClientSessionState> clientSessions, List<Server> servers) {}

    record ClientSessionState(
            String name, UUID uuid, SessionState state, String policy, int queueDepth, List<PathInfo> paths) {}

    /** A listening server with the sessions its clients opened. */
    record Server(
            List<InetSocketAddress> addresses,
            ServerOptions options,
            int maxIoSize,
            List<ServerSessionState> sessions) {}

    record ServerSessionState(String name, UUID uuid, int queueDepth, List<PathInfo> paths) {}

    record BlockClient(List<MappedDeviceInfo> devices) {}

    record BlockServer(String devSearchPath, List<ExportInfo> exports, List<OpenDeviceInfo> openDevices) {}

    /** Reads every service present. Called on a request thread; each service call is a short non-blocking read. */
    static ApplianceSnapshot capture(AdminServices services, long timeMillis) {
        return new ApplianceSnapshot(
                timeMillis,
                services.transport().map(ApplianceSnapshot::transport),
                services.client().map(ApplianceSnapshot::client),
                services.server().map(ApplianceSnapshot::server));
    }

    /** The sections whose service is absent. */
    List<Section> missing() {
        List<Section> missing = new ArrayList<>();
        if (transport.isEmpty()) {
            missing.add(Section.TRANSPORT);
        }
        if (client.isEmpty()) {
            missing.add(Section.RNBD_CLIENT);
        }
        if (server.isEmpty()) {
            missing.add(Section.RNBD_SERVER);
        }
        return missing;
    }

    static Transport transport(RtrsAdmin admin) {
        List<ClientSessionState> sessions = new ArrayList<>();
        for (ClientSession s : admin.clientSessions()) {
            sessions.add(new ClientSessionState(
                    s.name(), s.uuid(), s.state(), s.policy(), s.queueDepth(), byName(s.paths())));
        }
        sessions.sort(Comparator.comparing(ClientSessionState::name));
        List<Server> servers = new ArrayList<>();
        for (ServerEndpoint e : admin.servers()) {
            List<ServerSessionState> list = new ArrayList<>();
            for (ServerSession s : e.sessions()) {
                list.add(new ServerSessionState(s.name(), s.uuid(), s.queueDepth(), byName(s.paths())));
            }
            list.sort(Comparator.comparing(ServerSessionState::name));
            servers.add(new Server(e.localAddresses(), e.options(), e.maxIoSize(), List.copyOf(list)));
        }
        return new Transport(
                Collections.unmodifiableSortedMap(new TreeMap<>(admin.policies())),
                List.copyOf(sessions),
                List.copyOf(servers));
    }

    /** A path's client and server side then come in the same order. */
    private static List<PathInfo> byName(List<PathInfo> paths) {
        List<PathInfo> sorted = new ArrayList<>(paths);
        sorted.sort(Comparator.comparing(PathInfo::name));
        return List.copyOf(sorted);
    }

    private static BlockClient client(RnbdClientAdmin admin) {
        List<MappedDeviceInfo> devices = new ArrayList<>(admin.devices());
        devices.sort(Comparator.comparing(MappedDeviceInfo::name));
        return new BlockClient(List.copyOf(devices));
    }

    private static BlockServer server(RnbdServerAdmin admin) {
        List<ExportInfo> exports = new ArrayList<>(admin.exports());
        exports.sort(Comparator.comparing(ExportInfo::name));
        List<OpenDeviceInfo> open = new ArrayList<>(admin.openDevices());
        open.sort(Comparator.comparing(OpenDeviceInfo::session).thenComparingInt(OpenDeviceInfo::deviceId));
        return new BlockServer(admin.devSearchPath(), List.copyOf(exports), List.copyOf(open));
    }
}
