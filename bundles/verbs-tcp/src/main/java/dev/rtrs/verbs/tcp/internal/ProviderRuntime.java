package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventHandler;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What one provider instance runs: its IO threads, its event threads, its device and its live ids. */
public final class ProviderRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderRuntime.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final VerbsProvider provider;
    private final TcpProviderOptions options;
    private final IoThread[] ioThreads;
    private final ExecutorService events;
    private final TcpDevice device;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final Set<TcpCmId> ids = ConcurrentHashMap.newKeySet();
    private final Set<InetAddress> silenced = ConcurrentHashMap.newKeySet();
    /** Changes with every change of {@link #silenced}: sockets compare it before they write. */
    private final AtomicInteger faultEpoch = new AtomicInteger();

    private volatile boolean closed;

    /** @throws UncheckedIOException when a selector cannot be opened */
    public ProviderRuntime(VerbsProvider provider, TcpProviderOptions options) {
        this.provider = provider;
        this.options = options;
        int instance = INSTANCES.incrementAndGet();
        this.device = new TcpDevice(this, options);
        this.ioThreads = new IoThread[options.ioThreads()];
        try {
            for (int i = 0; i < ioThreads.length; i++) {
                ioThreads[i] = new IoThread("rtrs-tcp" + instance + "-io-" + i);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        AtomicInteger eventThreadCount = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                options.eventThreads(),
                options.eventThreads(),
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "rtrs-tcp" + instance + "-cm-" + eventThreadCount.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.events = pool;
        for (IoThread t : ioThreads) {
            t.start();
        }
    }

    public List<RdmaDevice> devices() {
        return List.of(device);
    }

    /** Any thread; non-blocking. */
    public CmId createCmId(CmEventHandler handler) throws VerbsException {
        checkOpen();
        if (handler == null) {
            throw new VerbsException(Errno.EINVAL, "an event handler is required");
        }
        TcpCmId id = new TcpCmId(this, handler);
        ids.add(id);
        return id;
    }

    /**
     * Fault injection: every connection whose local or remote address is {@code address} stops its socket IO, now
     * and until {@link #restore}; connections made meanwhile start silent. Any thread; non-blocking. A connection
     * looks at {@link #faultEpoch()} before it reads or writes, so nothing posted after this call is transmitted;
     * idle connections are told on their IO threads.
     */
    public void silence(InetAddress address) {
        if (silenced.add(Objects.requireNonNull(address, "address"))) {
            applyFaults();
        }
    }

    /** Ends {@link #silence} of {@code address}: its connections resume where they stopped. Any thread. */
    public void restore(InetAddress address) {
        if (silenced.remove(Objects.requireNonNull(address, "address"))) {
            applyFaults();
        }
    }

    /** A number that changes whenever the silenced addresses change. Any thread. */
    int faultEpoch() {
        return faultEpoch.get();
    }

    private void applyFaults() {
        faultEpoch.incrementAndGet();
        for (IoThread t : ioThreads) {
            SocketWatch w = t.watch();
            t.execute(w::applyFaults);
        }
    }

    /** Whether a connection between these addresses is silenced; {@code local} may be null (not known yet). */
    boolean isSilenced(InetAddress local, InetAddress remote) {
        return !silenced.isEmpty() && (local != null && silenced.contains(local) || silenced.contains(remote));
    }

    VerbsProvider provider() {
        return provider;
    }

    TcpProviderOptions options() {
        return options;
    }

    TcpDevice device() {
        return device;
    }

    /** Where connection-manager work and events run. */
    ExecutorService events() {
        return events;
    }

    IoThread nextIoThread() {
        return ioThreads[Math.floorMod(roundRobin.getAndIncrement(), ioThreads.length)];
    }

    void register(TcpCmId id) {
        ids.add(id);
    }

    void forget(TcpCmId id) {
        ids.remove(id);
    }

    boolean isClosed() {
        return closed;
    }

    void checkOpen() throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.ENODEV, "the tcp verbs provider is closed");
        }
    }

    /**
     * Tells every live id DEVICE_REMOVAL, closes every connection abruptly and stops the threads. Blocks up to
     * about two seconds for handlers still running.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (TcpCmId id : ids) {
            id.deliver(new CmEvent(CmEventType.DEVICE_REMOVAL, id, null, Errno.ENODEV, null));
        }
        closed = true;
        for (IoThread t : ioThreads) {
            t.stop(1000);
        }
        events.shutdown();
        try {
            if (!events.awaitTermination(1, TimeUnit.SECONDS)) {
                LOG.warn("connection-manager event handlers still running after the provider closed");
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ids.clear();
    }
}
