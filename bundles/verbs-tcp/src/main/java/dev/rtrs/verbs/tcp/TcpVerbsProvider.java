package dev.rtrs.verbs.tcp;

import dev.rtrs.verbs.CmEventHandler;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.tcp.internal.ProviderRuntime;
import java.net.InetAddress;
import java.util.List;

/**
 * RDMA verbs in software over TCP: one device ({@code tcp0}) that reaches every address the host's TCP stack
 * reaches, one TCP connection per connected queue pair.
 *
 * <p>It behaves like a reliable-connected queue pair on a NIC: ordered reliable delivery; a SEND consumes a
 * posted receive (none posted: the requester retries up to {@link TcpProviderOptions#rnrTimeoutMs()}, then
 * RNR_RETRY_EXCEEDED_ERROR); RDMA WRITE and READ check rkey, bounds and access flags at the responder, and a
 * violation fails the request with REMOTE_ACCESS_ERROR, moves both queue pairs to the error state and leaves
 * the target memory unchanged; a send completes only after the peer acknowledged it; LOCAL_INV, SEND_WITH_INV
 * and fast registration (REG_MR) exist; queues and completion queues are bounded and never block. WRITE data is
 * read from the socket straight into the target region.
 *
 * <p>A peer that stops answering (a link that drops packets, a host gone without a reset) fails a queue pair as on a
 * NIC: when requests waiting for the peer get no acknowledgement progress for {@code retryCount + 1} ACK timeouts
 * ({@link dev.rtrs.verbs.QueuePairAttributes#ackTimeout()}, defaults in {@link TcpProviderOptions}), the oldest
 * completes with RETRY_EXCEEDED_ERROR, the rest are flushed, the connection closes and its id gets DISCONNECTED
 * (ETIMEDOUT). Acknowledgements come from the peer's IO threads, not its application, so only a peer whose IO
 * thread is blocked (by a completion listener that blocks, for example) looks silent while alive. TCP keepalive
 * closes idle connections to vanished peers. {@link #silence} simulates such a link.
 *
 * <p>Threads: IO threads own the connections (completion listeners run there); event threads deliver
 * connection-manager events, one at a time per id. Every operation is non-blocking.
 *
 * <p>Inside the appliance an instance is registered by the bundle's Declarative Services component; outside
 * OSGi, construct one and {@link #close()} it. Not designed for extension outside this bundle.
 */
public class TcpVerbsProvider implements VerbsProvider, AutoCloseable {

    /** The value of the {@value VerbsProvider#PROVIDER} service property. */
    public static final String NAME = "tcp";

    private final ProviderRuntime runtime;

    /** Starts a provider with {@link TcpProviderOptions#defaults()}. */
    public TcpVerbsProvider() {
        this(TcpProviderOptions.defaults());
    }

    /**
     * Starts a provider: its IO threads run from here until {@link #close()}.
     *
     * @throws java.io.UncheckedIOException when the IO threads' selectors cannot be opened
     */
    public TcpVerbsProvider(TcpProviderOptions options) {
        this.runtime = new ProviderRuntime(this, options);
    }

    /** {@value #NAME}. */
    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<RdmaDevice> devices() {
        return runtime.devices();
    }

    /** Any thread; non-blocking. */
    @Override
    public CmId createCmId(CmEventHandler handler) throws VerbsException {
        return runtime.createCmId(handler);
    }

    /**
     * Fault injection for tests and operators: makes the link to or from {@code address} silent, as if it dropped
     * every packet. Every connection of this provider whose local or remote IP address is {@code address} stops
     * reading from and writing to its socket; nothing is closed and nothing is dropped: frames stay queued, so
     * delivery stays ordered and reliable once {@link #restore} ends it. Connections made to or from the address
     * meanwhile stay silent too (a connect times out as UNREACHABLE). Queue pairs with requests outstanding on such
     * a connection fail after their ACK timeout; idle ones wait. TCP itself keeps working underneath (keepalive
     * probes are answered). Silencing an address twice is the same as once.
     *
     * <p>Any thread; non-blocking. It takes effect on each connection before any work posted after this call is
     * transmitted.
     */
    public void silence(InetAddress address) {
        runtime.silence(address);
    }

    /**
     * Ends {@link #silence} of {@code address}: its connections read and write again, resuming where they stopped.
     * Any thread; non-blocking. Restoring an address that is not silenced does nothing.
     */
    public void restore(InetAddress address) {
        runtime.restore(address);
    }

    /**
     * Tells every live id DEVICE_REMOVAL, resets every connection and stops the threads. Blocks up to about two
     * seconds for event handlers still running. Idempotent.
     */
    @Override
    public void close() {
        runtime.close();
    }
}
