package dev.rtrs.verbs;

import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A connection-manager identifier, the verbs-level socket.
 *
 * <p>Active side: {@link #resolveAddress} (event ADDR_RESOLVED or ADDR_ERROR), {@link #resolveRoute}
 * (ROUTE_RESOLVED or ROUTE_ERROR), {@link #createQueuePair}, post receives, {@link #connect} (ESTABLISHED,
 * REJECTED or UNREACHABLE). Passive side: {@link #bind}, {@link #listen}; each CONNECT_REQUEST brings a new
 * id, on which the handler creates a queue pair and calls {@link #accept} or {@link #reject}.
 *
 * <p>All operations are non-blocking and may be called from an event handler.
 */
@ProviderType
public interface CmId extends AutoCloseable {

    /** Most bytes of private data in connect, accept and reject, as RDMA CM allows over InfiniBand. */
    int MAX_PRIVATE_DATA = 56;

    VerbsProvider provider();

    /** The device this id is bound to; {@code null} before bind or address resolution. */
    RdmaDevice device();

    /** Changes where this id's events go (a new connection's id starts with its listener's handler). */
    void setEventHandler(CmEventHandler handler);

    /**
     * Binds to a local address. Port 0 lets {@link #listen} pick a free port, which {@link #localAddress()}
     * then reports.
     *
     * @throws VerbsException {@code EADDRNOTAVAIL} when the address is not one of this host's
     */
    void bind(InetSocketAddress address) throws VerbsException;

    /** @throws VerbsException {@code EADDRINUSE} when another socket holds the bound address */
    void listen(int backlog) throws VerbsException;

    /**
     * Resolves {@code destination} to a device, binding to {@code source} when given.
     *
     * @param source      local address, or {@code null} to let the provider choose
     * @param timeoutMs   how long resolution may take before ADDR_ERROR
     */
    void resolveAddress(InetSocketAddress source, InetSocketAddress destination, int timeoutMs) throws VerbsException;

    void resolveRoute(int timeoutMs) throws VerbsException;

    /** Creates this id's queue pair, in state INIT. */
    QueuePair createQueuePair(ProtectionDomain pd, QueuePairAttributes attributes) throws VerbsException;

    /** This id's queue pair, or {@code null}. */
    QueuePair queuePair();

    /**
     * Sends a connect request carrying up to {@link #MAX_PRIVATE_DATA} bytes.
     *
     * @param timeoutMs how long to wait for the peer's answer before UNREACHABLE
     */
    void connect(byte[] privateData, int timeoutMs) throws VerbsException;

    void accept(byte[] privateData) throws VerbsException;

    /**
     * Rejects a connect request. Where the device lacks
     * {@link DeviceCapabilities.Capability#REJECT_WITH_PRIVATE_DATA} the peer sees REJECTED (or UNREACHABLE)
     * without the private data.
     */
    void reject(byte[] privateData) throws VerbsException;

    /** Starts an orderly disconnect; both sides get DISCONNECTED. The queue pair moves to ERROR. */
    void disconnect();

    /** The listening address with its actual port once listening; the connection's local address once connecting. */
    InetSocketAddress localAddress();

    /** The peer's address: the destination once resolved, the requester's address on a connect request's id. */
    InetSocketAddress remoteAddress();

    /**
     * Disconnects if needed and releases the id. Its queue pair must be closed by its owner. A listening id's
     * address is free again when this returns (called from an event handler: shortly after).
     */
    @Override
    void close();
}
