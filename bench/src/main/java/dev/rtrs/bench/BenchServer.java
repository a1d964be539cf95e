package dev.rtrs.bench;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The benchmark's server process: a tcp verbs listener whose connections expose one 16 MiB target region and
 * re-post each receive its WRITE_WITH_IMM consumed (from the completion listener, on the provider's IO thread),
 * and a plain socket server that reads what it is told to and answers one byte. Ends when stdin closes.
 */
final class BenchServer {

    static final int TARGET = 16 << 20;
    static final int RECEIVES = 512;

    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        try (TcpVerbsProvider provider = new TcpVerbsProvider();
                ServerSocketChannel sockets = ServerSocketChannel.open()) {
            CmId listener = provider.createCmId(e -> {
                if (e.type() == CmEventType.CONNECT_REQUEST) {
                    try {
                        e.id().accept(serve(e.id()));
                    } catch (VerbsException x) {
                        x.printStackTrace();
                    }
                }
            });
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            listener.listen(8);
            sockets.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread plain = new Thread(() -> acceptLoop(sockets), "bench-socket-server");
            plain.setDaemon(true);
            plain.start();
            System.out.println("READY " + listener.localAddress().getPort() + " "
                    + ((InetSocketAddress) sockets.getLocalAddress()).getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the client closes our stdin
            }
            listener.close();
        }
    }

    /** Sets up one connection's queue pair and target; returns the private data naming the target. */
    private static byte[] serve(CmId id) throws VerbsException {
        ProtectionDomain pd = id.device().allocateProtectionDomain();
        MemoryRegion target = pd.register(ByteBuffer.allocateDirect(TARGET), Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        WorkCompletion[] polled = new WorkCompletion[64];
        for (int i = 0; i < polled.length; i++) {
            polled[i] = new WorkCompletion();
        }
        ReceiveWorkRequest repost = new ReceiveWorkRequest(1);
        QueuePair[] qp = new QueuePair[1];
        CompletionQueue cq = id.device().createCompletionQueue(2 * RECEIVES, q -> {
            try {
                int n;
                do {
                    n = q.poll(polled);
                    for (int i = 0; i < n; i++) {
                        if (!polled[i].isSuccess()) {
                            return;
                        }
                        qp[0].postReceive(repost.reset(polled[i].wrId()));
                    }
                    if (n == 0) {
                        q.requestNotify();
                        n = q.poll(polled);
                        for (int i = 0; i < n; i++) {
                            if (polled[i].isSuccess()) {
                                qp[0].postReceive(repost.reset(polled[i].wrId()));
                            }
                        }
                    }
                } while (n > 0);
            } catch (VerbsException e) {
                e.printStackTrace();
            }
        });
        qp[0] = id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 16, RECEIVES, 1, 1));
        for (int i = 0; i < RECEIVES; i++) {
            qp[0].postReceive(repost.reset(i));
        }
        cq.requestNotify();
        return ByteBuffer.allocate(16)
                .putLong(target.address())
                .putInt(target.rkey())
                .putInt(TARGET)
                .array();
    }

    private static void acceptLoop(ServerSocketChannel sockets) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        ByteBuffer header = ByteBuffer.allocate(12);
        try {
            while (true) {
                try (SocketChannel s = sockets.accept()) {
                    s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    while (true) {
                        header.clear();
                        while (header.hasRemaining()) {
                            if (s.read(header) < 0) {
                                break;
                            }
                        }
                        if (header.hasRemaining()) {
                            break;
                        }
                        long total = (long) header.getInt(0) * header.getLong(4);
                        while (total > 0) {
                            buffer.clear();
                            if (buffer.remaining() > total) {
                                buffer.limit((int) total);
                            }
                            int n = s.read(buffer);
                            if (n < 0) {
                                return;
                            }
                            total -= n;
                        }
                        s.write(ByteBuffer.wrap(new byte[] {1}));
                    }
                }
            }
        } catch (IOException e) {
            // the client went away: the process ends when stdin closes
        }
    }
}
