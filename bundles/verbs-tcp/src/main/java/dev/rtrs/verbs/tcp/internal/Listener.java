package dev.rtrs.verbs.tcp.internal;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listening socket of a listening id; accepted sockets are spread over the IO threads. */
final class Listener implements IoThread.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);
    private static final int ACCEPTS_PER_EVENT = 64;

    private final ProviderRuntime runtime;
    private final TcpCmId id;
    private final ServerSocketChannel channel;
    private final IoThread io;
    private SelectionKey key;

    Listener(ProviderRuntime runtime, TcpCmId id, ServerSocketChannel channel, IoThread io) {
        this.runtime = runtime;
        this.id = id;
        this.channel = channel;
        this.io = io;
    }

    void start() {
        io.execute(() -> {
            try {
                key = io.register(channel, SelectionKey.OP_ACCEPT, this);
            } catch (IOException e) {
                LOG.error("cannot listen on {}", id.localAddress(), e);
                closeChannel();
            }
        });
    }

    @Override
    public void onReady(SelectionKey k) {
        for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
            SocketChannel s;
            try {
                s = channel.accept();
            } catch (IOException e) {
                LOG.warn("accept on {} failed: {}", id.localAddress(), e.getMessage());
                return;
            }
            if (s == null) {
                return;
            }
            try {
                s.configureBlocking(false);
            } catch (IOException e) {
                LOG.warn("cannot configure an accepted socket: {}", e.getMessage());
                closeQuietly(s);
                continue;
            }
            IoThread owner = runtime.nextIoThread();
            Connection c = Connection.passive(runtime, owner, s, id);
            owner.execute(c::startPassive);
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        LOG.error("listener on {} failed", id.localAddress(), failure);
        closeChannel();
    }

    @Override
    public void onShutdown() {
        closeChannel();
    }

    /** Stops listening; established connections stay. Any thread. */
    void close() {
        io.execute(this::closeChannel);
    }

    private void closeChannel() {
        if (key != null) {
            key.cancel();
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
    }
}
