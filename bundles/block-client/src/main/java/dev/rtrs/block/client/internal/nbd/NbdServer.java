package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.transport.log.RateLimitedLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NBD gateway: serves block devices over the NBD protocol so that standard tools (qemu, fio, nbd-client,
 * libnbd) can use them. One thread accepts, one thread per client connection reads and submits; replies are
 * written by the threads that complete them. The connections of one export may be many (multi-conn).
 *
 * <p>Memory is bounded whatever clients send: per connection {@link Options#bufferBytes()} of direct data buffers
 * plus about 70 KiB (see {@link NbdConnection}), for at most {@link Options#maxConnections()} connections.
 */
public final class NbdServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NbdServer.class);
    private static final RateLimitedLog WARN = RateLimitedLog.of(LOG);

    /**
     * Limits of the gateway.
     *
     * @param maxConnections     client connections at the same time; further ones are closed at once
     * @param negotiationTimeout longest time from accept to the end of negotiation
     * @param bufferBytes        direct data buffer bytes per connection; at least {@link #MIN_BUFFER_BYTES}
     */
    public record Options(int maxConnections, Duration negotiationTimeout, long bufferBytes) {

        /** The largest request (the maximum block size the gateway advertises) must fit. */
        public static final long MIN_BUFFER_BYTES = Nbd.MAX_REQUEST;

        public Options {
            if (maxConnections < 1 || negotiationTimeout.isNegative() || negotiationTimeout.isZero()) {
                throw new IllegalArgumentException("need at least one connection and a positive timeout");
            }
            if (bufferBytes < MIN_BUFFER_BYTES) {
                throw new IllegalArgumentException("buffer bytes below " + MIN_BUFFER_BYTES + ": " + bufferBytes);
            }
        }

        /** 64 connections, 10 s to negotiate, 64 MiB of buffers per connection. */
        public static Options defaults() {
            return new Options(64, Duration.ofSeconds(10), 64L << 20);
        }
    }

    private final NbdExports exports;
    private final Options options;
    private final ServerSocketChannel listener;
    private final Thread acceptor;
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Binds to {@code address} (port 0 picks a free port) and starts accepting, with {@link Options#defaults()}. */
    public NbdServer(InetSocketAddress address, NbdExports exports) throws IOException {
        this(address, exports, Options.defaults());
    }

    /** Binds to {@code address} (port 0 picks a free port) and starts accepting. */
    public NbdServer(InetSocketAddress address, NbdExports exports, Options options) throws IOException {
        this.exports = exports;
        this.options = options;
        this.listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        listener.bind(address);
        this.acceptor = new Thread(this::accept, "nbd-gateway-" + localAddress().getPort());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("NBD gateway listening on {}", localAddress());
    }

    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void accept() {
        while (!closed) {
            SocketChannel channel = null;
            try {
                channel = listener.accept();
                String peer = String.valueOf(channel.getRemoteAddress());
                // only this thread adds connections: the count cannot grow between the check and the add
                if (connections.size() >= options.maxConnections()) {
                    WARN.warn(
                            "nbd-connection-limit",
                            "NBD gateway: {} connections already, the limit; closing the connection from {}",
                            connections.size(),
                            peer);
                    channel.close();
                    continue;
                }
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                NbdConnection c = new NbdConnection(channel, exports, peer, options);
                channel = null;
                connections.add(c);
                Thread t = new Thread(
                        () -> {
                            try {
                                c.run();
                            } finally {
                                connections.remove(c);
                            }
                        },
                        "nbd-client-" + peer);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("NBD gateway: accept failed: {}", e.getMessage());
                }
                closeQuietly(channel);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("close: {}", e.getMessage());
            }
        }
    }

    /** Number of client connections now. */
    public int connectionCount() {
        return connections.size();
    }

    /** Bytes of direct data buffers all connections hold now. */
    public long bufferBytes() {
        return connections.stream().mapToLong(NbdConnection::bufferBytes).sum();
    }

    /** Number of client connections that use the export {@code name} now. */
    public int connectionCount(String name) {
        return (int) connections.stream().filter(c -> name.equals(c.export())).count();
    }

    /**
     * Closes the connections that use the export {@code name}, as a forced unmap does: their requests in flight get
     * no answer. Does not block.
     *
     * @return how many were closed
     */
    public int closeConnections(String name) {
        int closed = 0;
        for (NbdConnection c : connections) {
            if (name.equals(c.export())) {
                c.close();
                closed++;
            }
        }
        if (closed > 0) {
            LOG.info("NBD gateway: closed {} connections of export {}", closed, name);
        }
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.getMessage());
        }
        for (NbdConnection c : connections) {
            c.close();
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("NBD gateway on {} closed", listener);
    }
}
