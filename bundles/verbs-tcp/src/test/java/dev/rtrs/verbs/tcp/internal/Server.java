package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.VerbsProvider;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A provider listener on 127.0.0.1 that accepts every request; each accepted connection is one {@link Accepted}. */
final class Server implements AutoCloseable {

    /** One accepted connection's resources (one shared protection domain: the test's regions live there). */
    static final class Accepted {
        final CmId id;
        final QueuePair qp;
        final CompletionQueue cq;
        final BlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();

        Accepted(CmId id, QueuePair qp, CompletionQueue cq) {
            this.id = id;
            this.qp = qp;
            this.cq = cq;
        }

        CmEvent event(CmEventType type) throws InterruptedException {
            for (; ; ) {
                CmEvent e = events.poll(10, TimeUnit.SECONDS);
                if (e == null) {
                    throw new AssertionError("no " + type);
                }
                if (e.type() == type) {
                    return e;
                }
            }
        }
    }

    final CmId listener;
    final ProtectionDomain pd;
    final MemoryRegion receives;
    final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();

    Server(VerbsProvider provider, int receivesPerConnection) throws Exception {
        pd = provider.devices().get(0).allocateProtectionDomain();
        receives = pd.register(ByteBuffer.allocateDirect(64 * 1024), Access.LOCAL_WRITE);
        listener = provider.createCmId(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST) {
                try {
                    CompletionQueue cq = e.id().device().createCompletionQueue(256, null);
                    QueuePair qp = e.id().createQueuePair(pd, new QueuePairAttributes(cq, cq, 64, 64, 2, 2));
                    for (int i = 0; i < receivesPerConnection; i++) {
                        qp.postReceive(new ReceiveWorkRequest().reset(i).addSge(receives, i * 1024, 1024));
                    }
                    Accepted a = new Accepted(e.id(), qp, cq);
                    e.id().setEventHandler(a.events::add);
                    accepted.add(a);
                    e.id().accept(new byte[0]);
                } catch (Exception x) {
                    throw new IllegalStateException(x);
                }
            }
        });
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        listener.listen(16);
    }

    InetSocketAddress address() {
        return listener.localAddress();
    }

    Accepted next() throws InterruptedException {
        Accepted a = accepted.poll(10, TimeUnit.SECONDS);
        if (a == null) {
            throw new AssertionError("no connection accepted");
        }
        return a;
    }

    @Override
    public void close() {
        listener.close();
    }
}
