package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.RdmaCm;
import com.ibm.disni.verbs.RdmaCmEvent;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaEventChannel;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's one connection-manager event thread. It polls the event channel without blocking and pauses
 * between empty polls (up to the configured interval), because DiSNI keeps the channel's ids in an unsynchronised
 * map that both id creation and event retrieval touch: both run under one lock, and neither may hold it for long.
 * Events are delivered one at a time, so each id sees its events serially, and handlers may call any id operation.
 */
final class CmEventLoop {

    private static final Logger LOG = LoggerFactory.getLogger(CmEventLoop.class);
    private static final long MIN_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final ProviderRuntime runtime;
    private final RdmaEventChannel channel;
    private final ReentrantLock channelLock = new ReentrantLock();
    private final Map<RdmaCmId, DisniCmId> ids = new ConcurrentHashMap<>();
    private final Set<DisniCmId> deadlines = ConcurrentHashMap.newKeySet();
    private final long maxPauseNanos;
    private final Thread thread;
    private volatile boolean running = true;

    CmEventLoop(ProviderRuntime runtime, RdmaEventChannel channel, int maxPauseMs) {
        this.runtime = runtime;
        this.channel = channel;
        this.maxPauseNanos = Math.max(MIN_PAUSE_NANOS, TimeUnit.MILLISECONDS.toNanos(maxPauseMs));
        this.thread = new Thread(this::run, "disni-cm-events");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Creates a native id on the channel. Waits at most for one non-blocking poll of the event thread. */
    RdmaCmId createNativeId() throws IOException {
        channelLock.lock();
        try {
            RdmaCmId id = channel.createId(RdmaCm.RDMA_PS_TCP);
            if (id == null) {
                throw new IOException("rdma_create_id failed: Cannot allocate memory");
            }
            return id;
        } finally {
            channelLock.unlock();
        }
    }

    void register(RdmaCmId nativeId, DisniCmId id) {
        ids.put(nativeId, id);
    }

    /** Events of the id are dropped from now on. */
    void unregister(RdmaCmId nativeId) {
        DisniCmId id = ids.remove(nativeId);
        if (id != null) {
            deadlines.remove(id);
        }
    }

    /** The id waits for a connect answer until its deadline. */
    void watch(DisniCmId id) {
        deadlines.add(id);
        LockSupport.unpark(thread);
    }

    int openIds() {
        return ids.size();
    }

    /** Stops the thread; blocks until it has left its current poll or delivery. */
    void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long pause = MIN_PAUSE_NANOS;
        boolean failing = false;
        while (running) {
            RdmaCmEvent event = null;
            channelLock.lock();
            try {
                event = channel.getCmEvent(0);
                failing = false;
            } catch (IOException | RuntimeException e) {
                if (!failing && running) {
                    LOG.warn("Polling the RDMA CM event channel failed: {}", e.toString());
                }
                failing = true;
            } finally {
                channelLock.unlock();
            }
            if (event != null) {
                dispatch(event);
            }
            expireDeadlines();
            if (event != null) {
                pause = MIN_PAUSE_NANOS;
                continue;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, maxPauseNanos);
        }
    }

    private void dispatch(RdmaCmEvent event) {
        try {
            event.ackEvent();
        } catch (IOException e) {
            LOG.debug("Acknowledging a CM event failed: {}", e.getMessage());
        }
        CmEventType type = CmEventMapping.type(event.getEvent());
        if (type == null) {
            return;
        }
        if (type == CmEventType.CONNECT_REQUEST) {
            onConnectRequest(event.getListenIdPriv(), event.getConnIdPriv());
            return;
        }
        RdmaCmId nativeId = event.getConnIdPriv();
        DisniCmId id = nativeId == null ? null : ids.get(nativeId);
        if (id != null) {
            CmEvent delivered = id.onEvent(type);
            if (delivered != null) {
                deliver(id, delivered);
            }
        }
    }

    private void onConnectRequest(RdmaCmId listenNative, RdmaCmId requestNative) {
        DisniCmId listener = listenNative == null ? null : ids.get(listenNative);
        if (requestNative == null) {
            return;
        }
        if (listener == null) {
            // the listener was closed meanwhile: destroying the request's id refuses it
            try {
                requestNative.destroyId();
            } catch (IOException e) {
                LOG.debug("Refusing a connect request failed: {}", e.getMessage());
            }
            return;
        }
        DisniCmId request = new DisniCmId(runtime, requestNative, listener.handler());
        register(requestNative, request);
        request.adoptDevice();
        deliver(request, new CmEvent(CmEventType.CONNECT_REQUEST, request, listener, 0, null));
    }

    private void expireDeadlines() {
        if (deadlines.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (DisniCmId id : deadlines) {
            CmEvent expired = id.expire(now);
            if (expired != null) {
                deliver(id, expired);
            }
            if (!id.awaitsDeadline()) {
                deadlines.remove(id);
            }
        }
    }

    private static void deliver(DisniCmId id, CmEvent event) {
        try {
            id.handler().onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("Connection-manager event handler failed on {}", event, e);
        }
    }
}
