package dev.rtrs.jmx.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.ExportStatistics;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.PathAddress;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Admin services in memory that record what the MBeans ask of them. */
final class Fakes {

    private Fakes() {}

    static PathInfo path(String src, String dst, long reads) {
        return new PathInfo(
                UUID.randomUUID(),
                src == null ? null : new InetSocketAddress(src, 40000),
                new InetSocketAddress(dst, 1234),
                PathState.CONNECTED,
                2,
                new PathStatistics(reads, reads * 4096, 7, 7 * 4096, 1, 2, 3, 4),
                85_000);
    }

    static final class Transport implements RtrsAdmin {
        final List<ClientSession> clients = new CopyOnWriteArrayList<>();
        final List<ServerEndpoint> servers = new CopyOnWriteArrayList<>();

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
            Map<String, List<String>> p = new LinkedHashMap<>();
            p.put("min-inflight", List.of("mi"));
            p.put("round-robin", List.of("rr"));
            return p;
        }
    }

    static final class Client implements ClientSession {
        final String name;
        final UUID uuid = UUID.randomUUID();
        final List<PathInfo> paths = new CopyOnWriteArrayList<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        String policy = "min-inflight";
        int maxReconnectAttempts = -1;

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
        public void submit(Permit p, Direction d, ByteBuffer header, ByteBuffer[] data, IoCallback callback) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PathInfo> paths() {
            return List.copyOf(paths);
        }

        @Override
        public void resetStatistics() {
            calls.add("resetStatistics");
        }

        @Override
        public int maxReconnectAttempts() {
            return maxReconnectAttempts;
        }

        @Override
        public void setMaxReconnectAttempts(int attempts) {
            maxReconnectAttempts = attempts;
        }

        @Override
        public PathInfo addPath(PathAddress address) {
            PathInfo p = path("127.0.0.1", address.destination().getAddress().getHostAddress(), 0);
            paths.add(p);
            return p;
        }

        @Override
        public void removePath(UUID path) throws TransportException {
            if (paths.size() == 1) {
                throw new TransportException(Errno.EBUSY, "the last path of session " + name + " stays");
            }
            paths.removeIf(p -> p.uuid().equals(path));
        }

        @Override
        public void disconnectPath(UUID path) {
            calls.add("disconnect " + path);
        }

        @Override
        public void reconnectPath(UUID path) {
            calls.add("reconnect " + path);
        }

        @Override
        public void close() {}
    }

    static final class Server implements ServerEndpoint {
        final List<ServerSession> sessions = new CopyOnWriteArrayList<>();

        @Override
        public ServerOptions options() {
            return ServerOptions.defaults(InetAddress.getLoopbackAddress());
        }

        @Override
        public List<InetSocketAddress> localAddresses() {
            return List.of(new InetSocketAddress("127.0.0.1", 1234));
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
        public void close() {}
    }

    static final class Session implements ServerSession {
        final String name;
        final UUID uuid = UUID.randomUUID();
        final List<PathInfo> paths = new CopyOnWriteArrayList<>();
        boolean closed;

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
        public void resetStatistics() {}

        @Override
        public boolean closePath(UUID pathUuid) {
            return paths.removeIf(p -> p.uuid().equals(pathUuid));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class BlockClient implements RnbdClientAdmin {
        final List<MappedDeviceInfo> devices = new CopyOnWriteArrayList<>();
        final Map<String, DeviceStatistics> statistics = new LinkedHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public List<MappedDeviceInfo> devices() {
            return List.copyOf(devices);
        }

        @Override
        public Map<String, DeviceStatistics> deviceStatistics() {
            return Map.copyOf(statistics);
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
        public void unmap(String name, boolean force) throws BlockException {
            if (!force) {
                throw new BlockException(Errno.EBUSY, name + " is open");
            }
            calls.add("unmap " + name);
            devices.removeIf(d -> d.name().equals(name));
        }

        @Override
        public MappedDeviceInfo remap(String name) throws BlockException {
            throw new BlockException(Errno.EALREADY, name + " is mapped");
        }

        @Override
        public List<String> setPolicy(String session, String policy) {
            calls.add("setPolicy " + session + " " + policy);
            return names(session);
        }

        @Override
        public List<String> setMaxReconnectAttempts(String session, int attempts) {
            calls.add("setMaxReconnectAttempts " + session + " " + attempts);
            return names(session);
        }

        @Override
        public List<String> removePath(String session, UUID path) {
            calls.add("removePath " + session + " " + path);
            return names(session);
        }

        private List<String> names(String session) {
            return devices.stream()
                    .filter(d -> d.session().equals(session))
                    .map(MappedDeviceInfo::name)
                    .toList();
        }

        void add(String name, String session) {
            devices.add(new MappedDeviceInfo(name, session, name, AccessMode.RW, 1 << 20, MappedDeviceState.MAPPED));
        }
    }

    static DeviceStatistics deviceStatistics(long reads, long... bucketCounts) {
        List<Long> counts =
                new ArrayList<>(Collections.nCopies(DeviceStatistics.LATENCY_BUCKET_BOUNDS_SECONDS.size() + 1, 0L));
        for (int i = 0; i < bucketCounts.length; i++) {
            counts.set(i, bucketCounts[i]);
        }
        return new DeviceStatistics(reads, 0, 0, 0, counts, 300_000);
    }

    static final class BlockServer implements RnbdServerAdmin {
        final List<ExportInfo> exports = new CopyOnWriteArrayList<>();
        final Map<String, ExportStatistics> statistics = new LinkedHashMap<>();

        @Override
        public List<ExportInfo> exports() {
            return List.copyOf(exports);
        }

        @Override
        public Map<String, ExportStatistics> exportStatistics() {
            return Map.copyOf(statistics);
        }

        @Override
        public List<OpenDeviceInfo> openDevices() {
            return List.of();
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
            exports.removeIf(e -> e.name().equals(name));
        }

        @Override
        public boolean closeSession(String sessionName) {
            throw new UnsupportedOperationException();
        }

        void add(String name) {
            exports.add(
                    new ExportInfo(name, "memory", Map.of("size", "1M"), false, true, 1, true, 1L << 20, List.of()));
        }
    }
}
