package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.protocol.RnbdClose;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.TransportException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does to running mapped devices and their sessions, as the kernel's rnbd-client sysfs
 * ({@code remap_device}, {@code resize}) and rtrs-client sysfs ({@code add_path}, {@code remove_path},
 * {@code max_reconnect_attempts}) do. Device actions run on the client's executor, one after the other and never
 * beside a remap after a reconnect. Called on operator threads.
 */
final class ClientActions {

    private static final Logger LOG = LoggerFactory.getLogger(ClientActions.class);
    /** How long a resize waits for the session's IO in flight to finish before it closes the device. */
    private static final long DRAIN_MS = 10_000;

    private static final long REOPEN_RETRY_MS = 1000;

    private final RnbdClient client;

    ClientActions(RnbdClient client) {
        this.client = client;
    }

    /** The kernel's remap_device: only for a device whose session lost its link and has a connected path again. */
    MappedDevice remap(String name) throws BlockException {
        MappedDevice d = device(name);
        return client.serially(() -> {
            SessionHandle h = d.session();
            if (h.isReady()) {
                throw new BlockException(Errno.EALREADY, name + " is mapped; remap is for a device whose link broke");
            }
            if (!hasConnectedPath(h)) {
                throw new BlockException(
                        Errno.ENOTCONN,
                        "session " + h.name + " has no connected path; " + name + " is remapped when one comes back");
            }
            client.remapNow(h);
            return d;
        });
    }

    /**
     * Reads the device's size from the server again: IO of the session is held back until the IO in flight finished,
     * then the device is closed and opened again (the server refuses a second OPEN of a device the session has open).
     */
    MappedDevice resize(String name) throws BlockException {
        MappedDevice d = device(name);
        return client.serially(() -> {
            SessionHandle h = d.session();
            if (!h.isReady()) {
                throw new BlockException(
                        Errno.ENOTCONN,
                        "session " + h.name + " is reconnecting; " + name + " gets its size when it is remapped");
            }
            h.suspend();
            if (!drained(h)) {
                h.resume();
                throw new BlockException(
                        Errno.EBUSY, "IO of session " + h.name + " did not finish within " + DRAIN_MS + " ms");
            }
            ByteBuffer close = ByteBuffer.allocate(RnbdClose.SIZE);
            RnbdCodec.encode(new RnbdClose(d.deviceId()), close, 0);
            int errno = RnbdClient.control(h, Direction.WRITE, close, null);
            if (errno != 0) {
                h.resume();
                throw new BlockException(errno, "the server refused to close " + d.devicePath() + " for the resize");
            }
            try {
                d.opened(client.open(h, d.devicePath(), d.accessMode()));
            } catch (BlockException e) {
                reopenLater(h, d);
                throw new BlockException(
                        e.errno(),
                        name + " is closed on the server and could not be opened again (" + e.getMessage()
                                + "); its IO waits while the client keeps trying");
            }
            h.resume();
            LOG.info("resized {}: {} bytes", name, d.size());
            return d;
        });
    }

    /** Keeps opening a device that a resize closed, with the session's IO held back, until it is open or unmapped. */
    private void reopenLater(SessionHandle h, MappedDevice d) {
        client.later(
                () -> {
                    if (d.isClosed()) {
                        h.resume();
                        return;
                    }
                    try {
                        d.opened(client.open(h, d.devicePath(), d.accessMode()));
                        h.resume();
                        LOG.info("{} is open again ({} bytes)", d.name(), d.size());
                    } catch (BlockException e) {
                        LOG.warn("{}: opening again failed ({}); trying again", d.name(), e.getMessage());
                        reopenLater(h, d);
                    }
                },
                REOPEN_RETRY_MS);
    }

    /** Adds a path to a running session; the caller keeps it in the configurations. */
    void addPath(String session, PathAddress address) throws BlockException {
        SessionHandle h = session(session);
        try {
            PathInfo added = h.session().addPath(address);
            h.pathAddresses.put(added.uuid(), address);
        } catch (TransportException e) {
            throw new BlockException(e.errno(), e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlockException(Errno.EINTR, "interrupted while adding path " + address);
        }
    }

    /**
     * Removes a path of a running session.
     *
     * @return the path's configured address, which the caller takes out of the configurations
     */
    PathAddress removePath(String session, UUID path) throws BlockException {
        SessionHandle h = session(session);
        PathAddress address = h.pathAddresses.get(path);
        try {
            h.session().removePath(path);
        } catch (TransportException e) {
            throw new BlockException(e.errno(), e.getMessage(), e);
        }
        h.pathAddresses.remove(path);
        return address;
    }

    void setMaxReconnectAttempts(String session, int attempts) throws BlockException {
        try {
            session(session).session().setMaxReconnectAttempts(attempts);
        } catch (TransportException e) {
            throw new BlockException(e.errno(), e.getMessage(), e);
        }
    }

    /**
     * Brings a running session's paths to a configuration's: adds those it lacks and removes those it no longer
     * names, without a remap. A path that cannot be added is logged; the configuration stays as it is.
     */
    void reconcilePaths(String session, List<PathAddress> wanted) {
        SessionHandle h = client.session(session);
        if (h == null || h.session() == null) {
            return;
        }
        for (PathAddress a : wanted) {
            if (!h.pathAddresses.containsValue(a)) {
                try {
                    addPath(session, a);
                } catch (BlockException e) {
                    LOG.warn("session {}: configured path {} not added: {}", session, a, e.getMessage());
                }
            }
        }
        for (Map.Entry<UUID, PathAddress> e : List.copyOf(h.pathAddresses.entrySet())) {
            if (!wanted.contains(e.getValue())) {
                try {
                    removePath(session, e.getKey());
                } catch (BlockException x) {
                    LOG.warn("session {}: path {} not removed: {}", session, e.getValue(), x.getMessage());
                }
            }
        }
    }

    private MappedDevice device(String name) throws BlockException {
        MappedDevice d = client.device(name);
        if (d == null) {
            throw new BlockException(Errno.ENOENT, "no mapped device named " + name);
        }
        return d;
    }

    private SessionHandle session(String name) throws BlockException {
        SessionHandle h = client.session(name);
        if (h == null || h.session() == null) {
            throw new BlockException(Errno.ENOENT, "the RNBD client maps no device through a session named " + name);
        }
        return h;
    }

    private static boolean hasConnectedPath(SessionHandle h) {
        ClientSession s = h.session();
        return s != null && s.paths().stream().anyMatch(p -> p.state() == PathState.CONNECTED);
    }

    /** Waits until no IO of the session is in flight; false when some still is after {@link #DRAIN_MS}. */
    private static boolean drained(SessionHandle h) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_MS * 1_000_000L;
        while (h.session().paths().stream().anyMatch(p -> p.statistics().inflight() > 0)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
