package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvQP;
import com.ibm.disni.verbs.IbvQPInitAttr;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaConnParam;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventHandler;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection-manager id over DiSNI's {@link RdmaCmId}. Every operation is a non-blocking RDMA CM call under this
 * id's monitor; events arrive from the provider's event thread through {@link #onEvent}, which updates the state
 * under the monitor and returns the event to deliver outside it.
 *
 * <p>DiSNI 2.1 limits: IPv4 only; accept and reject carry no private data, and no event carries the peer's private
 * data (its native layer acknowledges each event before Java sees it); reject destroys the id, which the peer sees as
 * REJECTED without private data or as UNREACHABLE; connect has no native timeout, so the event thread reports
 * UNREACHABLE when the connect's own timeout passes.
 */
final class DisniCmId implements CmId {

    private static final Logger LOG = LoggerFactory.getLogger(DisniCmId.class);

    private enum Phase {
        IDLE,
        CONNECTING,
        CONNECTED,
        DONE
    }

    private final ProviderRuntime runtime;
    private final RdmaCmId nativeId;
    private volatile CmEventHandler handler;
    private volatile DisniDevice device;
    private volatile DisniQueuePair queuePair;
    private Phase phase = Phase.IDLE;
    private boolean bound;
    private long connectDeadline;
    private boolean timedOut;
    private volatile boolean closed;
    private boolean queuePairDestroyed;
    private boolean nativeDestroyed;

    DisniCmId(ProviderRuntime runtime, RdmaCmId nativeId, CmEventHandler handler) {
        this.runtime = runtime;
        this.nativeId = nativeId;
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public VerbsProvider provider() {
        return runtime.provider();
    }

    @Override
    public RdmaDevice device() {
        return device;
    }

    RdmaCmId nativeId() {
        return nativeId;
    }

    CmEventHandler handler() {
        return handler;
    }

    @Override
    public void setEventHandler(CmEventHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public synchronized void bind(InetSocketAddress address) throws VerbsException {
        requireOpen();
        requireIpv4(address);
        try {
            nativeId.bindAddr(address);
        } catch (IOException e) {
            throw Errnos.wrap("bind to " + address, e, Errno.EADDRNOTAVAIL);
        }
        bound = true;
        if (!address.getAddress().isAnyLocalAddress()) {
            adoptDevice();
        }
    }

    @Override
    public synchronized void listen(int backlog) throws VerbsException {
        requireOpen();
        try {
            nativeId.listen(backlog);
        } catch (IOException e) {
            throw Errnos.wrap("listen", e, Errno.EINVAL);
        }
    }

    @Override
    public synchronized void resolveAddress(InetSocketAddress source, InetSocketAddress destination, int timeoutMs)
            throws VerbsException {
        requireOpen();
        requireIpv4(destination);
        // DiSNI passes no source address to rdma_resolve_addr; a bound id resolves from its bound address
        if (source != null && !bound) {
            bind(source);
        }
        try {
            nativeId.resolveAddr(null, destination, timeoutMs);
        } catch (IOException e) {
            throw Errnos.wrap("resolve " + destination, e, Errno.EHOSTUNREACH);
        }
    }

    @Override
    public synchronized void resolveRoute(int timeoutMs) throws VerbsException {
        requireOpen();
        try {
            nativeId.resolveRoute(timeoutMs);
        } catch (IOException e) {
            throw Errnos.wrap("resolve the route", e, Errno.ENETUNREACH);
        }
    }

    @Override
    public synchronized QueuePair createQueuePair(ProtectionDomain pd, QueuePairAttributes attributes)
            throws VerbsException {
        requireOpen();
        if (queuePair != null) {
            throw new VerbsException(Errno.EEXIST, "this id has a queue pair already");
        }
        DisniDevice d = device;
        if (d == null) {
            throw new VerbsException(Errno.EINVAL, "bind or resolve the address before creating the queue pair");
        }
        if (!(pd instanceof DisniProtectionDomain disniPd)
                || disniPd.disniDevice() != d
                || !(attributes.sendCq() instanceof DisniCompletionQueue sendCq)
                || sendCq.disniDevice() != d
                || !(attributes.receiveCq() instanceof DisniCompletionQueue receiveCq)
                || receiveCq.disniDevice() != d) {
            throw new VerbsException(Errno.EINVAL, "domain and completion queues must belong to device " + d.name());
        }
        DeviceCapabilities caps = d.capabilities();
        if (attributes.maxSendWr() > caps.maxQueuePairWorkRequests()
                || attributes.maxReceiveWr() > caps.maxQueuePairWorkRequests()
                || attributes.maxSendSge() > caps.maxScatterGatherEntries()
                || attributes.maxReceiveSge() > caps.maxScatterGatherEntries()) {
            throw new VerbsException(Errno.EINVAL, "queue pair sizes exceed the device's limits " + caps);
        }
        IbvQPInitAttr init = new IbvQPInitAttr();
        init.cap().setMax_send_wr(attributes.maxSendWr());
        init.cap().setMax_recv_wr(attributes.maxReceiveWr());
        init.cap().setMax_send_sge(attributes.maxSendSge());
        init.cap().setMax_recv_sge(attributes.maxReceiveSge());
        init.cap().setMax_inline_data(0);
        init.setQp_type(IbvQP.IBV_QPT_RC);
        init.setSend_cq(sendCq.nativeCq());
        init.setRecv_cq(receiveCq.nativeCq());
        try {
            IbvQP qp = nativeId.createQP(disniPd.nativePd(), init);
            if (qp == null) {
                throw new VerbsException(Errno.ENOMEM, "rdma_create_qp failed");
            }
            DisniQueuePair result = new DisniQueuePair(
                    this, qp.getQp_num(), attributes, wrs -> qp.postSend(wrs, null), wrs -> qp.postRecv(wrs, null));
            sendCq.attach(result);
            receiveCq.attach(result);
            queuePair = result;
            return result;
        } catch (IOException e) {
            throw Errnos.wrap("create a queue pair", e, Errno.ENOMEM);
        }
    }

    @Override
    public QueuePair queuePair() {
        return queuePair;
    }

    @Override
    public synchronized void connect(byte[] privateData, int timeoutMs) throws VerbsException {
        requireOpen();
        byte[] data = privateData == null ? new byte[0] : privateData;
        if (data.length > MAX_PRIVATE_DATA) {
            throw new VerbsException(Errno.EINVAL, data.length + " bytes of private data exceed " + MAX_PRIVATE_DATA);
        }
        if (queuePair == null) {
            throw new VerbsException(Errno.EINVAL, "create the queue pair before connecting");
        }
        RdmaConnParam param = connParam();
        // rdma_connect copies the private data; the buffer only has to live through the call
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, data.length));
        buffer.put(data);
        try {
            if (data.length > 0) {
                param.setPrivate_data(DirectBuffers.address(buffer));
                param.setPrivate_data_len((byte) data.length);
            }
            nativeId.connect(param);
        } catch (IOException e) {
            throw Errnos.wrap("connect", e, Errno.ECONNREFUSED);
        }
        phase = Phase.CONNECTING;
        connectDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs));
        runtime.events().watch(this);
    }

    @Override
    public synchronized void accept(byte[] privateData) throws VerbsException {
        requireOpen();
        if (privateData != null && privateData.length > 0) {
            throw new VerbsException(Errno.EOPNOTSUPP, "DiSNI 2.1 cannot send private data with accept");
        }
        if (queuePair == null) {
            throw new VerbsException(Errno.EINVAL, "create the queue pair before accepting");
        }
        try {
            nativeId.accept(connParam());
        } catch (IOException e) {
            throw Errnos.wrap("accept", e, Errno.ECONNABORTED);
        }
        phase = Phase.CONNECTING;
    }

    /** Refuses the request by destroying the id: DiSNI 2.1 has no rdma_reject, so no private data reaches the peer. */
    @Override
    public void reject(byte[] privateData) throws VerbsException {
        if (!markClosed()) {
            throw new VerbsException(Errno.EBADF, "connection-manager id closed");
        }
        DisniQueuePair qp;
        synchronized (this) {
            qp = queuePairDestroyed ? null : queuePair;
            if (qp == null) {
                destroyNative();
            }
        }
        if (qp != null) {
            qp.close(); // destroys the queue pair, then the id
        }
    }

    @Override
    public synchronized void disconnect() {
        if (closed || nativeDestroyed) {
            return;
        }
        try {
            nativeId.disconnect();
        } catch (IOException e) {
            LOG.debug("rdma_disconnect failed: {}", e.getMessage());
        }
        DisniQueuePair qp = queuePair;
        if (qp != null) {
            qp.toError();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return address(true);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return address(false);
    }

    private synchronized InetSocketAddress address(boolean local) {
        if (nativeDestroyed) {
            return null;
        }
        try {
            SocketAddress a = local ? nativeId.getSource() : nativeId.getDestination();
            return a instanceof InetSocketAddress inet ? inet : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Disconnects when connected; the native id goes now, or with its queue pair when that is still open. */
    @Override
    public void close() {
        if (!markClosed()) {
            return;
        }
        synchronized (this) {
            if (phase == Phase.CONNECTED || phase == Phase.CONNECTING) {
                try {
                    nativeId.disconnect();
                } catch (IOException e) {
                    LOG.debug("rdma_disconnect on close failed: {}", e.getMessage());
                }
            }
            // rdma_destroy_id leaves a queue pair behind: with one still open, the id goes when it is closed
            if (queuePair == null || queuePairDestroyed) {
                destroyNative();
            }
        }
    }

    /** Called by the queue pair's close: rdma_destroy_qp, then the id itself if it was closed before. */
    synchronized void destroyQueuePair(DisniQueuePair qp) {
        if (nativeDestroyed || queuePairDestroyed || queuePair != qp) {
            return;
        }
        queuePairDestroyed = true;
        try {
            nativeId.destroyQP();
        } catch (IOException e) {
            LOG.warn("rdma_destroy_qp failed: {}", e.getMessage());
        }
        if (closed) {
            destroyNative();
        }
    }

    /** Takes the verbs context the id is bound to as its device. */
    synchronized void adoptDevice() {
        try {
            DisniDevice d = runtime.deviceOf(nativeId.getVerbs());
            if (d != null) {
                device = d;
            }
        } catch (IOException e) {
            LOG.debug("No verbs context on the id yet: {}", e.getMessage());
        }
    }

    /**
     * Applies an event to the id's state; returns the event to deliver, or null when it is dropped (closed id, or the
     * late answer to a connect that already timed out).
     */
    CmEvent onEvent(CmEventType type) {
        synchronized (this) {
            if (closed) {
                return null;
            }
            DisniQueuePair qp = queuePair;
            switch (type) {
                case ADDR_RESOLVED -> adoptDevice();
                case ESTABLISHED -> {
                    if (timedOut) {
                        disconnect();
                        return null;
                    }
                    phase = Phase.CONNECTED;
                    connectDeadline = 0;
                    if (qp != null) {
                        qp.established();
                    }
                }
                case REJECTED, UNREACHABLE, CONNECT_ERROR -> {
                    if (timedOut) {
                        return null;
                    }
                    phase = Phase.DONE;
                    connectDeadline = 0;
                    if (qp != null) {
                        qp.toError();
                    }
                }
                case DISCONNECTED, DEVICE_REMOVAL -> {
                    phase = Phase.DONE;
                    if (qp != null) {
                        qp.toError();
                    }
                }
                default -> {
                    // resolution and requests change nothing here
                }
            }
        }
        return new CmEvent(type, this, null, CmEventMapping.status(type), null);
    }

    /** The event thread's check of the connect timeout: UNREACHABLE (ETIMEDOUT) once it has passed. */
    CmEvent expire(long now) {
        synchronized (this) {
            if (closed || connectDeadline == 0 || phase != Phase.CONNECTING || now - connectDeadline < 0) {
                return null;
            }
            timedOut = true;
            connectDeadline = 0;
            phase = Phase.DONE;
            if (queuePair != null) {
                queuePair.toError();
            }
        }
        return new CmEvent(CmEventType.UNREACHABLE, this, null, Errno.ETIMEDOUT, null);
    }

    synchronized boolean awaitsDeadline() {
        return connectDeadline != 0 && !closed;
    }

    private boolean markClosed() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        runtime.events().unregister(nativeId);
        return true;
    }

    private synchronized void destroyNative() {
        if (nativeDestroyed) {
            return;
        }
        nativeDestroyed = true;
        try {
            nativeId.destroyId();
        } catch (IOException e) {
            LOG.warn("rdma_destroy_id failed: {}", e.getMessage());
        }
    }

    private RdmaConnParam connParam() throws VerbsException {
        RdmaConnParam param = new RdmaConnParam();
        try {
            param.setRetry_count((byte) runtime.options().retryCount());
            param.setRnr_retry_count((byte) runtime.options().rnrRetryCount());
        } catch (IOException e) {
            throw Errnos.wrap("connection parameters", e, Errno.EINVAL);
        }
        return param;
    }

    private void requireOpen() throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.EBADF, "connection-manager id closed");
        }
    }

    private static void requireIpv4(InetSocketAddress address) throws VerbsException {
        if (address == null || address.isUnresolved() || !(address.getAddress() instanceof Inet4Address)) {
            throw new VerbsException(Errno.EINVAL, "DiSNI 2.1 supports resolved IPv4 addresses only: " + address);
        }
    }

    @Override
    public String toString() {
        DisniDevice d = device;
        return "DisniCmId[" + (d == null ? "unbound" : d.name()) + ", " + phase + (closed ? ", closed" : "") + "]";
    }
}
