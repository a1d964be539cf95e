package dev.rtrs.bench;

import com.sun.management.ThreadMXBean;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The benchmark's client process: one verbs connection and one plain socket to the server process. */
final class BenchClient implements AutoCloseable {

    /** One measured run. */
    record Run(long messages, int size, long nanos, long allocated) {
        double perSecond() {
            return messages * 1e9 / nanos;
        }

        double bytesPerSecond() {
            return perSecond() * size;
        }

        double allocatedPerMessage() {
            return messages == 0 ? 0 : (double) allocated / messages;
        }
    }

    private static final long MAX_BYTES = 64L << 30;

    private final TcpVerbsProvider provider = new TcpVerbsProvider();
    private final LinkedBlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();
    private final CmId id;
    private final ProtectionDomain pd;
    private final CompletionQueue cq;
    private final QueuePair qp;
    private final MemoryRegion source;
    private final long targetAddress;
    private final int targetKey;
    private final int targetSize;
    private final SocketChannel socket;
    private volatile Window window;

    BenchClient(int verbsPort, int socketPort) throws Exception {
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", verbsPort);
        id = provider.createCmId(events::add);
        id.resolveAddress(null, server, 5000);
        expect(CmEventType.ADDR_RESOLVED);
        id.resolveRoute(5000);
        expect(CmEventType.ROUTE_RESOLVED);
        pd = id.device().allocateProtectionDomain();
        cq = id.device().createCompletionQueue(1024, q -> {
            Window w = window;
            if (w != null) {
                w.onCompletions(q);
            }
        });
        qp = id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 256, 4, 1, 1));
        source = pd.register(ByteBuffer.allocateDirect(1 << 20), Access.LOCAL_WRITE);
        id.connect(new byte[0], 5000);
        ByteBuffer target = ByteBuffer.wrap(expect(CmEventType.ESTABLISHED).privateData());
        targetAddress = target.getLong();
        targetKey = target.getInt();
        targetSize = target.getInt();
        socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", socketPort));
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    private CmEvent expect(CmEventType type) throws InterruptedException {
        CmEvent e = events.poll(10, TimeUnit.SECONDS);
        if (e == null || e.type() != type) {
            throw new IllegalStateException("expected " + type + ", got " + e);
        }
        return e;
    }

    /**
     * Keeps {@code depth} WRITE_WITH_IMM of {@code size} bytes in flight for {@code seconds}, signaling every
     * {@code signalEvery}-th; counts until the last one completed (the responder placed it and consumed a receive).
     */
    Run verbs(int size, int depth, int signalEvery, double seconds) throws Exception {
        long maxMessages = Math.min(MAX_BYTES / size, Long.MAX_VALUE);
        Window w = new Window(size, depth, signalEvery, (long) (seconds * 1e9), maxMessages);
        window = w;
        long allocatedBefore = allocatedBytes();
        long start = System.nanoTime();
        w.start(start);
        cq.requestNotify();
        if (!w.done.await((long) (seconds * 1000) + 30_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the verbs run did not finish");
        }
        long nanos = w.end - start;
        window = null;
        if (w.failure != null) {
            throw new IllegalStateException("a write failed: " + w.failure);
        }
        return new Run(w.completed, size, nanos, allocatedBytes() - allocatedBefore);
    }

    /** Moves {@code messages} writes of {@code size} bytes over the plain socket and waits for the answer. */
    Run socket(int size, long messages) throws IOException {
        ByteBuffer header =
                ByteBuffer.allocate(12).putInt(size).putLong(messages).flip();
        ByteBuffer data = source.buffer().limit(size);
        ByteBuffer answer = ByteBuffer.allocate(1);
        long start = System.nanoTime();
        while (header.hasRemaining()) {
            socket.write(header);
        }
        for (long i = 0; i < messages; i++) {
            data.clear().limit(size);
            while (data.hasRemaining()) {
                socket.write(data);
            }
        }
        while (answer.hasRemaining()) {
            if (socket.read(answer) < 0) {
                throw new IOException("the server closed the socket");
            }
        }
        return new Run(messages, size, System.nanoTime() - start, 0);
    }

    private static long allocatedBytes() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long allocated : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, allocated);
        }
        return total;
    }

    /** The in-flight window of one run, driven by the completion listener on the provider's IO thread. */
    private final class Window {
        final int size;
        final int depth;
        final int signalEvery;
        final long durationNanos;
        final long maxMessages;
        final SendWorkRequest wr = new SendWorkRequest(1);
        final WorkCompletion[] polled = new WorkCompletion[32];
        final CountDownLatch done = new CountDownLatch(1);
        long deadline;
        long posted;
        long completed;
        long end;
        volatile String failure;

        Window(int size, int depth, int signalEvery, long durationNanos, long maxMessages) {
            this.size = size;
            this.depth = depth;
            this.signalEvery = signalEvery;
            this.durationNanos = durationNanos;
            this.maxMessages = maxMessages;
            for (int i = 0; i < polled.length; i++) {
                polled[i] = new WorkCompletion();
            }
        }

        synchronized void start(long now) throws VerbsException {
            deadline = now + durationNanos;
            fill();
        }

        /** Posts until {@code depth} are in flight; each post is one message, signaled every signalEvery-th. */
        private void fill() throws VerbsException {
            int slots = targetSize / size;
            // past the deadline only the rest of a signal group goes out, so the last request is signaled
            while (posted - completed < depth
                    && (posted % signalEvery != 0 || posted < maxMessages && System.nanoTime() - deadline < 0)) {
                boolean signaled = (posted + 1) % signalEvery == 0;
                wr.reset(posted, SendOpcode.RDMA_WRITE_WITH_IMM)
                        .addSge(source, 0, size)
                        .remote(targetAddress + (posted % slots) * (long) size, targetKey)
                        .immediate((int) posted)
                        .flags(signaled ? SendWorkRequest.SIGNALED : 0);
                qp.postSend(wr);
                posted++;
            }
        }

        synchronized void onCompletions(CompletionQueue q) {
            try {
                for (; ; ) {
                    int n = q.poll(polled);
                    if (n == 0) {
                        q.requestNotify();
                        n = q.poll(polled);
                        if (n == 0) {
                            break;
                        }
                    }
                    for (int i = 0; i < n; i++) {
                        if (!polled[i].isSuccess()) {
                            failure = polled[i].toString();
                            end = System.nanoTime();
                            done.countDown();
                            return;
                        }
                        // a signaled completion stands for itself and the unsignaled ones before it
                        completed = polled[i].wrId() + 1;
                    }
                    fill();
                    if (completed == posted
                            && (posted == maxMessages || System.nanoTime() - deadline >= 0)
                            && posted % signalEvery == 0) {
                        end = System.nanoTime();
                        done.countDown();
                        return;
                    }
                }
            } catch (VerbsException e) {
                failure = e.toString();
                done.countDown();
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        qp.close();
        id.close();
        provider.close();
    }
}
