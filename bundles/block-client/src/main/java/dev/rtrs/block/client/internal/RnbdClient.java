package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.RnbdClose;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdOpen;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.block.protocol.RnbdProtocolException;
import dev.rtrs.block.protocol.RnbdSessInfo;
import dev.rtrs.block.protocol.RnbdSessInfoRsp;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.RtrsClient;
import dev.rtrs.transport.TransportException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RNBD client, like the kernel's {@code map_device}: maps a server's device through a named session (opened
 * on first use and shared by the devices mapped through it), unmaps it, and maps every device of a session
 * again when the session reconnects after the server restarted.
 */
public final class RnbdClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RnbdClient.class);
    private static final long CONTROL_TIMEOUT_MS = 30_000;

    /**
     * What to map. Build with {@link #builder}.
     *
     * @param name               the mapped device's name (the NBD export name)
     * @param sessionName        the RTRS session to map it through
     * @param paths              the session's paths, used when the session is opened
     * @param devicePath         the device's name on the server
     * @param mode               RO, RW or MIGRATION
     * @param connectionsPerPath connections of each path of a new session
     * @param provider           the verbs provider
     * @param policy             the multipath policy of a new session, by name or alias
     * @param maxReconnectAttempts reconnect attempts of a broken path of a new session; -1 for no limit
     * @param reconnectDelay     pause between reconnect attempts
     * @param connectTimeout     how long connecting a path of a new session may take
     * @param ioTimeoutMs        how long an IO may wait for a broken link to come back before it fails with EIO
     */
    public record MapSpec(
            String name,
            String sessionName,
            List<PathAddress> paths,
            String devicePath,
            AccessMode mode,
            int connectionsPerPath,
            String provider,
            String policy,
            int maxReconnectAttempts,
            Duration reconnectDelay,
            Duration connectTimeout,
            long ioTimeoutMs) {

        public MapSpec {
            paths = List.copyOf(paths);
        }

        /** A spec with the defaults of a mapped device's configuration; set the paths at least. */
        public static Builder builder(String name, String sessionName, String devicePath) {
            return new Builder(name, sessionName, devicePath);
        }

        /** Builds a {@link MapSpec}. */
        public static final class Builder {
            private final String name;
            private final String sessionName;
            private final String devicePath;
            private List<PathAddress> paths = List.of();
            private AccessMode mode = AccessMode.RW;
            private int connectionsPerPath = ClientSessionOptions.defaultConnectionsPerPath();
            private String provider = ClientSessionOptions.DEFAULT_PROVIDER;
            private String policy = ClientSessionOptions.DEFAULT_POLICY;
            private int maxReconnectAttempts = -1;
            private Duration reconnectDelay = Duration.ofSeconds(2);
            private Duration connectTimeout = Duration.ofSeconds(30);
            private long ioTimeoutMs = 30_000;

            private Builder(String name, String sessionName, String devicePath) {
                this.name = name;
                this.sessionName = sessionName;
                this.devicePath = devicePath;
            }

            public Builder paths(List<PathAddress> value) {
                this.paths = value;
                return this;
            }

            public Builder mode(AccessMode value) {
                this.mode = value;
                return this;
            }

            public Builder connectionsPerPath(int value) {
                this.connectionsPerPath = value;
                return this;
            }

            public Builder provider(String value) {
                this.provider = value;
                return this;
            }

            public Builder policy(String value) {
                this.policy = value;
                return this;
            }

            public Builder maxReconnectAttempts(int value) {
                this.maxReconnectAttempts = value;
                return this;
            }

            public Builder reconnectDelay(Duration value) {
                this.reconnectDelay = value;
                return this;
            }

            public Builder connectTimeout(Duration value) {
                this.connectTimeout = value;
                return this;
            }

            public Builder ioTimeoutMs(long value) {
                this.ioTimeoutMs = value;
                return this;
            }

            public MapSpec build() {
                return new MapSpec(
                        name,
                        sessionName,
                        paths,
                        devicePath,
                        mode,
                        connectionsPerPath,
                        provider,
                        policy,
                        maxReconnectAttempts,
                        reconnectDelay,
                        connectTimeout,
                        ioTimeoutMs);
            }
        }
    }

    private final RtrsClient rtrs;
    private final Map<String, SessionHandle> sessions = new ConcurrentHashMap<>();
    private final Map<String, MappedDevice> devices = new ConcurrentHashMap<>();
    /** Names being mapped right now, so that two maps of one name cannot race. */
    private final Set<String> mapping = ConcurrentHashMap.newKeySet();

    private final Map<String, Object> sessionLocks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rnbd-client");
        t.setDaemon(true);
        return t;
    });

    public RnbdClient(RtrsClient rtrs) {
        this.rtrs = rtrs;
        executor.scheduleWithFixedDelay(
                () -> sessions.values().forEach(SessionHandle::expire), 500, 500, TimeUnit.MILLISECONDS);
    }

    /**
     * Maps a device. Blocks until the server answered OPEN (bounded by the session's connect timeout and 30 s).
     *
     * @throws BlockException {@link OpenRefusedException} with the server's errno (ENOENT, EACCES, EPERM, EROFS, ...)
     *                        when it refused the device, EEXIST for a taken name, or the transport's errno when the
     *                        session cannot be opened or its link broke
     */
    public MappedDevice map(MapSpec spec) throws BlockException {
        if (devices.containsKey(spec.name()) || !mapping.add(spec.name())) {
            throw new BlockException(Errno.EEXIST, "a device named " + spec.name() + " is already mapped");
        }
        try {
            // one lock per session: a map that waits for an unreachable server holds up only its own session
            synchronized (lock(spec.sessionName())) {
                return mapLocked(spec);
            }
        } finally {
            mapping.remove(spec.name());
        }
    }

    private MappedDevice mapLocked(MapSpec spec) throws BlockException {
        SessionHandle h = sessions.get(spec.sessionName());
        if (h != null) {
            // as the kernel's client: the server would hand out the device the session has open already
            for (MappedDevice d : h.devices) {
                if (d.devicePath.equals(spec.devicePath())) {
                    // refused as the server would refuse it: asking again gets the same answer
                    throw new OpenRefusedException(
                            Errno.EEXIST,
                            "session " + spec.sessionName() + " has " + spec.devicePath() + " mapped already, as "
                                    + d.name);
                }
            }
        }
        boolean fresh = h == null;
        if (fresh) {
            h = openSession(spec);
        }
        MappedDevice d = new MappedDevice(spec.name(), spec.devicePath(), spec.mode(), h, spec.ioTimeoutMs());
        try {
            d.opened(open(h, spec.devicePath(), spec.mode()));
        } catch (BlockException e) {
            if (fresh) {
                sessions.remove(spec.sessionName());
                h.close();
            }
            throw e;
        }
        h.devices.add(d);
        devices.put(spec.name(), d);
        LOG.info(
                "mapped {}: {} {} through session {} ({} bytes)",
                spec.name(),
                spec.devicePath(),
                spec.mode(),
                spec.sessionName(),
                d.size());
        return d;
    }

    private SessionHandle openSession(MapSpec spec) throws BlockException {
        SessionHandle h = new SessionHandle(this, spec.sessionName());
        ClientSessionOptions options = ClientSessionOptions.builder(spec.sessionName())
                .paths(spec.paths())
                .connectionsPerPath(spec.connectionsPerPath())
                .provider(spec.provider())
                .policy(spec.policy())
                .maxReconnectAttempts(spec.maxReconnectAttempts())
                .reconnectDelay(spec.reconnectDelay())
                .connectTimeout(spec.connectTimeout())
                .build();
        try {
            ClientSession s = rtrs.open(options, h);
            h.attach(s);
            // a new session lists its paths in the order it was given them
            for (int i = 0; i < spec.paths().size(); i++) {
                h.pathAddresses.put(s.paths().get(i).uuid(), spec.paths().get(i));
            }
        } catch (TransportException e) {
            throw new BlockException(e.errno(), "cannot open session " + spec.sessionName() + ": " + e.getMessage(), e);
        }
        try {
            sessionInfo(h);
        } catch (BlockException e) {
            h.close();
            throw e;
        }
        sessions.put(spec.sessionName(), h);
        return h;
    }

    /**
     * Unmaps a device: CLOSE to the server, and the session goes with its last device. The device stays in
     * {@link #devices()} until both are done, so that its absence there means the server has let it go.
     */
    public void unmap(String name) throws BlockException {
        MappedDevice d = devices.get(name);
        if (d == null) {
            throw new BlockException(Errno.ENOENT, "no mapped device " + name);
        }
        synchronized (lock(d.sessionName())) {
            if (devices.get(name) != d) {
                throw new BlockException(Errno.ENOENT, "no mapped device " + name);
            }
            unmapLocked(name, d, false);
        }
    }

    /**
     * @param closing the client is closing: a session whose link is down closes without telling the server,
     *                which lets go of the devices with the session; waiting for a link that may never come back
     *                would stall an appliance's shutdown
     */
    private void unmapLocked(String name, MappedDevice d, boolean closing) throws BlockException {
        d.markClosed();
        SessionHandle h = d.session();
        h.devices.remove(d);
        try {
            // the last device of a disconnected session goes with the session: the server closes a session's
            // devices when the session goes
            boolean tellServer = h.isReady() || !(closing || h.devices.isEmpty());
            if (tellServer) {
                ByteBuffer msg = ByteBuffer.allocate(RnbdClose.SIZE);
                RnbdCodec.encode(new RnbdClose(d.deviceId()), msg, 0);
                int errno = control(h, Direction.WRITE, msg, null);
                if (errno != 0) {
                    LOG.warn("unmap {}: server answered CLOSE with {}", name, Errno.name(errno));
                }
            } else {
                LOG.info(
                        "unmap {}: session {} is disconnected; the server closes the device with the session",
                        name,
                        h.name);
            }
        } finally {
            if (h.devices.isEmpty()) {
                sessions.remove(h.name, h);
                h.close();
            }
            devices.remove(name, d);
        }
        LOG.info("unmapped {}", name);
    }

    /**
     * Switches a session's multipath policy while its IO runs; nothing happens when no device is mapped through a
     * session of that name (a later map opens it with its own configuration's policy).
     */
    public void setPolicy(String sessionName, String policy) {
        SessionHandle h = sessions.get(sessionName);
        ClientSession s = h == null ? null : h.session();
        if (s != null) {
            s.setPolicy(policy);
        }
    }

    public List<MappedDevice> devices() {
        return new ArrayList<>(devices.values());
    }

    /** The mapped device of that name, or {@code null}. */
    public MappedDevice device(String name) {
        return devices.get(name);
    }

    /** The session of that name the client maps devices through, or null. */
    SessionHandle session(String sessionName) {
        return sessions.get(sessionName);
    }

    /**
     * Runs an operator's action on the client's executor, after the remaps queued before it and before those queued
     * later, and waits for it. Not to be called on that executor.
     */
    <T> T serially(Callable<T> action) throws BlockException {
        Future<T> done = executor.submit(action);
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlockException(Errno.EINTR, "interrupted; the action goes on in the background");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BlockException b) {
                throw b;
            }
            throw new BlockException(Errno.EIO, String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** Runs {@code task} on the client's executor after {@code delayMs}. */
    void later(Runnable task, long delayMs) {
        executor.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    }

    private Object lock(String sessionName) {
        return sessionLocks.computeIfAbsent(sessionName, n -> new Object());
    }

    // ---- remap after a reconnect ----

    void remapLater(SessionHandle h) {
        executor.execute(() -> remap(h));
    }

    private void remap(SessionHandle h) {
        if (!sessions.containsKey(h.name)) {
            return;
        }
        try {
            remapNow(h);
        } catch (BlockException e) {
            LOG.warn("session {}: remap failed ({}); trying again", h.name, e.getMessage());
            executor.schedule(() -> remap(h), 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Opens every device of the session again on the server (after a reconnect, the server has forgotten them),
     * with IO held back meanwhile; IO flows again when all are open. Runs on the executor.
     */
    void remapNow(SessionHandle h) throws BlockException {
        h.suspend();
        sessionInfo(h);
        for (MappedDevice d : h.devices) {
            d.opened(open(h, d.devicePath, d.mode));
            LOG.info("remapped {} ({}) as device {}", d.name, d.devicePath, d.deviceId());
        }
        h.resume();
    }

    // ---- control messages ----

    private void sessionInfo(SessionHandle h) throws BlockException {
        ByteBuffer msg = ByteBuffer.allocate(RnbdSessInfo.SIZE);
        RnbdCodec.encode(new RnbdSessInfo(RnbdCodec.PROTOCOL_VERSION), msg, 0);
        ByteBuffer rsp = ByteBuffer.allocate(RnbdSessInfoRsp.SIZE);
        int errno = control(h, Direction.READ, msg, rsp);
        if (errno != 0) {
            throw new BlockException(errno, "session " + h.name + ": SESS_INFO refused");
        }
        try {
            RnbdSessInfoRsp info = RnbdCodec.decodeSessInfoRsp(rsp, 0, rsp.capacity());
            if (info.version() < RnbdCodec.PROTOCOL_VERSION) {
                throw new BlockException(Errno.EPROTONOSUPPORT, "server speaks RNBD " + info.version());
            }
        } catch (RnbdProtocolException e) {
            throw new BlockException(e.errno(), "session " + h.name + ": bad SESS_INFO_RSP: " + e.getMessage());
        }
    }

    RnbdOpenRsp open(SessionHandle h, String devicePath, AccessMode mode) throws BlockException {
        ByteBuffer msg = ByteBuffer.allocate(RnbdOpen.SIZE);
        RnbdCodec.encode(new RnbdOpen(mode, devicePath), msg, 0);
        ByteBuffer rsp = ByteBuffer.allocate(RnbdOpenRsp.SIZE);
        int errno = control(h, Direction.READ, msg, rsp);
        if (errno != 0 && lostLink(errno)) {
            throw new BlockException(errno, "session " + h.name + ": link lost while opening " + devicePath);
        }
        if (errno != 0) {
            throw new OpenRefusedException(errno, "server refused to open " + devicePath + " " + mode);
        }
        try {
            return RnbdCodec.decodeOpenRsp(rsp, 0, rsp.capacity());
        } catch (RnbdProtocolException e) {
            throw new BlockException(e.errno(), "bad OPEN_RSP for " + devicePath + ": " + e.getMessage());
        }
    }

    /** Errnos of the link (and of a control message that got no answer) rather than of the server's RNBD. */
    private static boolean lostLink(int errno) {
        return errno == Errno.ECONNABORTED
                || errno == Errno.ECONNRESET
                || errno == Errno.ENOTCONN
                || errno == Errno.ESHUTDOWN
                || errno == Errno.ETIMEDOUT
                || errno == Errno.EINTR;
    }

    /** Sends a control message and waits for its errno. */
    static int control(SessionHandle h, Direction direction, ByteBuffer message, ByteBuffer response)
            throws BlockException {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        ByteBuffer[] data = response == null ? new ByteBuffer[0] : new ByteBuffer[] {response};
        h.submit(new IoTask(
                h,
                direction,
                message,
                data,
                done::complete,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONTROL_TIMEOUT_MS)));
        try {
            return done.get(CONTROL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlockException(Errno.EINTR, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new BlockException(Errno.ETIMEDOUT, "session " + h.name + ": no answer from the server");
        }
    }

    @Override
    public synchronized void close() {
        for (MappedDevice d : List.copyOf(devices.values())) {
            String name = d.name();
            try {
                synchronized (lock(d.sessionName())) {
                    if (devices.get(name) == d) {
                        unmapLocked(name, d, true);
                    }
                }
            } catch (BlockException e) {
                LOG.warn("unmap {}: {}", name, e.getMessage());
            }
        }
        executor.shutdownNow();
    }
}
