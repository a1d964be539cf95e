package dev.rtrs.transport.core.internal;

import dev.rtrs.transport.Heartbeat;
import dev.rtrs.transport.HeartbeatPath;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat monitor a transport uses now, if any, and the connected paths it hands to it. When the monitor is
 * replaced, the new one takes over every connected path; while none is installed paths run without liveness
 * detection, which is logged once per absence.
 *
 * <p>No lock is held while the monitor is called; a monitor may therefore see a path watched twice (it keeps one
 * watch) or a closed path watched late (its verdict is ignored by the path's incarnation).
 */
public final class Heartbeats {

    private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

    private final Set<HeartbeatPath> connected = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Heartbeat> monitor = new AtomicReference<>();
    private final AtomicBoolean absenceLogged = new AtomicBoolean();

    /** Makes {@code heartbeat} the monitor of every connected path, taking them over from the previous one. */
    public void bind(Heartbeat heartbeat) {
        Heartbeat previous = monitor.getAndSet(heartbeat);
        absenceLogged.set(false);
        for (HeartbeatPath p : connected) {
            if (previous != null) {
                previous.unwatch(p);
            }
            heartbeat.watch(p);
        }
        LOG.info("RTRS heartbeat monitor in use; it watches {} connected paths", connected.size());
    }

    /** The monitor goes away: its paths run unwatched until another comes. */
    public void unbind(Heartbeat heartbeat) {
        if (!monitor.compareAndSet(heartbeat, null)) {
            return;
        }
        for (HeartbeatPath p : connected) {
            heartbeat.unwatch(p);
        }
        if (!connected.isEmpty() && absenceLogged.compareAndSet(false, true)) {
            LOG.warn(
                    "RTRS heartbeat monitor gone: {} connected paths run without liveness detection until one is "
                            + "installed (feature rtrs-heartbeat)",
                    connected.size());
        }
    }

    /** A path (incarnation) is connected. */
    public void connected(HeartbeatPath path) {
        connected.add(path);
        Heartbeat h = monitor.get();
        if (h != null) {
            h.watch(path);
        } else if (absenceLogged.compareAndSet(false, true)) {
            LOG.warn("no RTRS heartbeat monitor installed: paths run without liveness detection, a silent path is "
                    + "found only by its verbs provider's timeouts (install feature rtrs-heartbeat)");
        }
    }

    /** A path (incarnation) is no longer connected. */
    public void disconnected(HeartbeatPath path) {
        if (path == null || !connected.remove(path)) {
            return;
        }
        Heartbeat h = monitor.get();
        if (h != null) {
            h.unwatch(path);
        }
    }

    /** Whether a monitor is installed. */
    public boolean isMonitored() {
        return monitor.get() != null;
    }
}
