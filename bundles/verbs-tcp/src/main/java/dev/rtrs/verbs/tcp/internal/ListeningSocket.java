package dev.rtrs.verbs.tcp.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listening socket of a listening id; accepted sockets are spread over the IO threads. */
final class ListeningSocket implements IoThread.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ListeningSocket.class);
    private static final int ACCEPTS_PER_EVENT = 64;

    private final ProviderRuntime runtime;
    private final TcpCmId id;
    private final ServerSocketChannel channel;
    private final IoThread io;
    private SelectionKey key;

    ListeningSocket(ProviderRuntime runtime, TcpCmId id, ServerSocketChannel channel, IoThread io) {
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
            QueuePairSocket accepted = QueuePairSocket.passive(runtime, owner, s, id);
            owner.execute(accepted::startPassive);
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        LOG.error("listening socket on {} failed", id.localAddress(), failure);
        closeChannel();
    }

    @Override
    public void onShutdown() {
        closeChannel();
    }

    /**
     * Stops listening; the sockets it accepted stay. Any thread. From outside the IO thread it returns once the
     * port is free again (bounded by a second), so that a server can be restarted on the same port at once.
     */
    void close() {
        CountDownLatch released = new CountDownLatch(1);
        io.execute(() -> {
            closeChannel();
            // the descriptor is released when the selector drops the cancelled key, at its next select
            io.execute(released::countDown);
        });
        if (!io.inThread()) {
            try {
                released.await(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeChannel() {
        if (key != null) {
            key.cancel();
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
    }
}
