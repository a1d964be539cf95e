package dev.rtrs.webconsole.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.SessionState;
import dev.rtrs.transport.TransportException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** In-memory admin services: what the page reads and what its actions change, with no transport behind them. */
final class Fakes {

    private Fakes() {}

    static PathInfo path(String src, String dst, PathState state, long reads, long writes) {
        return new PathInfo(
                UUID.randomUUID(),
                new InetSocketAddress(src, 40000),
                new InetSocketAddress(dst, 1234),
                state,
                2,
                new PathStatistics(reads, reads * 4096, writes, writes * 4096, 1, 0, 0, 0),
                85_000);
    }

    static final class Transport implements RtrsAdmin {

        final List<ClientSession> clients = new ArrayList<>();
        final List<ServerEndpoint> servers = new ArrayList<>();
        final Map<String, List<String>> policies = new LinkedHashMap<>();

        Transport() {
            policies.put("min-inflight", List.of("mi"));
            policies.put("round-robin", List.of("rr"));
        }

        @Override
        public List<ClientSession> clientSessions() {
            return List.copyOf(clients);
        }

        @Override
        public List<ServerEndpoint> servers() {
            return List.copyOf(servers);
        }

        @Override
        public Map<String, List<String>> policies() {
            return policies;
        }
    }

    static final class Client implements ClientSession {

        final String name;
        final UUID uuid = UUID.randomUUID();
        final List<PathInfo> paths = new ArrayList<>();
        final List<String> pathCalls = new ArrayList<>();
        String policy = "min-inflight";
        TransportException reconnectFailure;

        Client(String name, PathInfo... paths) {
            this.name = name;
            this.paths.addAll(List.of(paths));
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
        public SessionState state() {
            return SessionState.CONNECTED;
        }

        @Override
        public int queueDepth() {
            return 128;
        }

        @Override
        public int maxIoSize() {
            return 126976;
        }

        @Override
        public int maxHeaderSize() {
            return 64;
        }

        @Override
        public String policy() {
            return policy;
        }

        @Override
        public void setPolicy(String name) {
            policy = name;
        }

        @Override
        public Permit acquirePermit() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Permit acquirePermit(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Permit tryAcquirePermit() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void releasePermit(Permit permit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void submit(
                Permit permit, Direction direction, ByteBuffer userHeader, ByteBuffer[] data, IoCallback callback) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PathInfo> paths() {
            return List.copyOf(paths);
        }

        @Override
        public void resetStatistics() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void reconnectPath(UUID path) throws TransportException {
            if (reconnectFailure != null) {
                throw reconnectFailure;
            }
            pathCalls.add("reconnect " + path);
        }

        @Override
        public void removePath(UUID path) throws TransportException {
            if (paths.size() == 1) {
                throw new TransportException(Errno.EBUSY, "the last path of session " + name + " stays");
            }
            pathCalls.add("remove " + path);
            paths.removeIf(p -> p.uuid().equals(path));
        }

        @Override
        public void close() {
            throw new UnsupportedOperationException();
        }
    }

    static final class Server implements ServerEndpoint {

        final List<ServerSession> sessions = new ArrayList<>();

        @Override
        public ServerOptions options() {
            return ServerOptions.defaults(new InetSocketAddress("127.0.0.1", 0).getAddress());
        }

        @Override
        public List<InetSocketAddress> localAddresses() {
            return List.of(new InetSocketAddress("127.0.0.1", 1234), new InetSocketAddress("127.0.0.2", 1234));
        }

        @Override
        public int maxIoSize() {
            return 126976;
        }

        @Override
        public List<ServerSession> sessions() {
            return List.copyOf(sessions);
        }

        @Override
        public Optional<ServerSession> session(String name) {
            return sessions.stream().filter(s -> s.name().equals(name)).findFirst();
        }

        @Override
        public void close() {
            throw new UnsupportedOperationException();
        }
    }

    static final class Session implements ServerSession {

        final String name;
        final UUID uuid = UUID.randomUUID();
        final List<PathInfo> paths = new ArrayList<>();

        Session(String name, PathInfo... paths) {
            this.name = name;
            this.paths.addAll(List.of(paths));
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
            return 128;
        }

        @Override
        public List<PathInfo> paths() {
            return List.copyOf(paths);
        }

        @Override
        public void resetStatistics() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean closePath(UUID pathUuid) {
            return paths.removeIf(p -> p.uuid().equals(pathUuid));
        }

        @Override
        public void close() {
            throw new UnsupportedOperationException();
        }
    }

    static final class BlockClient implements RnbdClientAdmin {

        final List<MappedDeviceInfo> devices = new ArrayList<>();
        final List<String> policyCalls = new ArrayList<>();
        final List<String> pathCalls = new ArrayList<>();
        BlockException failure;

        @Override
        public List<MappedDeviceInfo> devices() {
            return List.copyOf(devices);
        }

        @Override
        public MappedDeviceInfo map(MapRequest request, long timeoutMs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void unmap(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> setPolicy(String session, String policy) throws BlockException {
            if (failure != null) {
                throw failure;
            }
            policyCalls.add(session + "=" + policy);
            return names(session);
        }

        @Override
        public List<String> removePath(String session, UUID path) throws BlockException {
            if (failure != null) {
                throw failure;
            }
            pathCalls.add(session + " " + path);
            return names(session);
        }

        private List<String> names(String session) {
            return devices.stream()
                    .filter(d -> d.session().equals(session))
                    .map(MappedDeviceInfo::name)
                    .toList();
        }
    }

    static final class BlockServer implements RnbdServerAdmin {

        final List<ExportInfo> exports = new ArrayList<>();
        final List<OpenDeviceInfo> open = new ArrayList<>();

        @Override
        public List<ExportInfo> exports() {
            return List.copyOf(exports);
        }

        @Override
        public List<OpenDeviceInfo> openDevices() {
            return List.copyOf(open);
        }

        @Override
        public String devSearchPath() {
            return "/srv/rnbd";
        }

        @Override
        public ExportInfo addExport(ExportRequest request, long timeoutMs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeExport(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean closeSession(String sessionName) {
            throw new UnsupportedOperationException();
        }
    }

    /** The services present: any of them may be null (absent). */
    record Services(RtrsAdmin rtrs, RnbdClientAdmin rnbdClient, RnbdServerAdmin rnbdServer) implements AdminServices {

        @Override
        public Optional<RtrsAdmin> transport() {
            return Optional.ofNullable(rtrs);
        }

        @Override
        public Optional<RnbdClientAdmin> client() {
            return Optional.ofNullable(rnbdClient);
        }

        @Override
        public Optional<RnbdServerAdmin> server() {
            return Optional.ofNullable(rnbdServer);
        }
    }

    /** The demo: session demo over two paths, mapped device demo, export demo; every service present. */
    static final class Demo {

        final Transport transport = new Transport();
        final Client client = new Client(
                "demo",
                path("127.0.0.1", "127.0.0.1", PathState.CONNECTED, 10, 20),
                path("127.0.0.2", "127.0.0.2", PathState.CONNECTED, 30, 40));
        final Session serverSession = new Session("demo", client.paths.get(0), client.paths.get(1));
        final Server server = new Server();
        final BlockClient blockClient = new BlockClient();
        final BlockServer blockServer = new BlockServer();

        Demo() {
            transport.clients.add(client);
            server.sessions.add(serverSession);
            transport.servers.add(server);
            blockClient.devices.add(new RnbdClientAdmin.MappedDeviceInfo(
                    "demo", "demo", "demo", AccessMode.RW, 256L << 20, RnbdClientAdmin.MappedDeviceState.MAPPED));
            blockServer.exports.add(new RnbdServerAdmin.ExportInfo(
                    "demo", "memory", Map.of("size", "256M"), false, true, 1, true, 256L << 20, List.of()));
            blockServer.open.add(new RnbdServerAdmin.OpenDeviceInfo("demo", 0, "demo", "RW"));
        }

        Services services() {
            return new Services(transport, blockClient, blockServer);
        }
    }
}
