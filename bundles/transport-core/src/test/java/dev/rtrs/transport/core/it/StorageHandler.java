package dev.rtrs.transport.core.it;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.RequestHandler;
import dev.rtrs.transport.ServerRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server application for tests: a byte array addressed by an 8-byte offset in the user header. WRITE stores
 * the data there, READ returns it. Optionally responds from another thread to create overlap, and records how
 * many requests were in the handler at once.
 */
final class StorageHandler implements RequestHandler, AutoCloseable {

    final byte[] store;
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    private final ExecutorService responder;
    volatile int forcedErrno;
    volatile boolean hold;
    volatile ServerRequest lastHeld;

    StorageHandler(int size, boolean asynchronous) {
        this.store = new byte[size];
        this.responder = asynchronous ? Executors.newFixedThreadPool(2) : null;
    }

    static ByteBuffer header(long offset) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, offset);
    }

    @Override
    public void onRequest(ServerRequest request) {
        requests.incrementAndGet();
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        if (hold) {
            lastHeld = request;
            concurrent.decrementAndGet();
            return;
        }
        if (responder != null) {
            responder.execute(() -> serve(request));
        } else {
            serve(request);
        }
    }

    private void serve(ServerRequest request) {
        int errno = forcedErrno;
        if (errno == 0) {
            errno = apply(request);
        }
        concurrent.decrementAndGet();
        request.respond(errno);
    }

    private int apply(ServerRequest request) {
        ByteBuffer h = request.userHeader().order(ByteOrder.LITTLE_ENDIAN);
        if (h.remaining() < 8) {
            return Errno.EINVAL;
        }
        long offset = h.getLong(h.position());
        ByteBuffer data = request.data();
        if (offset < 0 || offset + data.remaining() > store.length) {
            return Errno.ERANGE;
        }
        synchronized (store) {
            if (request.direction() == Direction.WRITE) {
                data.duplicate().get(store, (int) offset, data.remaining());
            } else {
                data.duplicate().put(store, (int) offset, data.remaining());
            }
        }
        return 0;
    }

    @Override
    public void close() {
        if (responder != null) {
            responder.shutdownNow();
        }
    }
}
