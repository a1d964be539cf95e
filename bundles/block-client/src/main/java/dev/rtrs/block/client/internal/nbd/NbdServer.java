package dev.rtrs.block.client.internal.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NBD gateway: serves block devices over the NBD protocol so that standard tools (qemu, fio, nbd-client,
 * libnbd) can use them. One thread accepts, one thread per client connection reads; the connections of one
 * export may be many (multi-conn).
 */
public final class NbdServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NbdServer.class);

    private final NbdExports exports;
    private final ServerSocketChannel listener;
    private final Thread acceptor;
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Binds to {@code address} (port 0 picks a free port) and starts accepting. */
    public NbdServer(InetSocketAddress address, NbdExports exports) throws IOException {
        this.exports = exports;
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
            try {
                SocketChannel channel = listener.accept();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                String peer = String.valueOf(channel.getRemoteAddress());
                NbdConnection c = new NbdConnection(channel, exports, peer);
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
            }
        }
    }

    /** Number of client connections now. */
    public int connectionCount() {
        return connections.size();
    }

    /** Number of client connections that use the export {@code name} now. */
    public int connectionCount(String name) {
        return (int) connections.stream().filter(c -> name.equals(c.export())).count();
    }

    /**
     * Closes the connections that use the export {@code name}, as a forced unmap does: their requests in flight get
     * no answer. Blocks until each connection's writer stopped (a few seconds at most each).
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
