package dev.rtrs.verbs.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Connections that end: orderly disconnect flushes both sides; a vanished peer fails outstanding work. */
public abstract class FailureConformanceTest extends VerbsConformanceSupport {

    @Test
    void disconnectFlushesOutstandingReceivesOnBothSides() throws Exception {
        Link link = connect(spec().receives(3, 5));
        link.client.id.disconnect();
        link.client.events.awaitType(CmEventType.DISCONNECTED, timeout());
        link.server.events.awaitType(CmEventType.DISCONNECTED, timeout());
        assertFlushed(awaitCompletions(link.client.cq, 3), WcOpcode.RECV);
        assertFlushed(awaitCompletions(link.server.cq, 5), WcOpcode.RECV);
        assertEquals(QpState.ERROR, link.client.qp.state());
        assertEquals(QpState.ERROR, link.server.qp.state());

        MemoryRegion src = register(link.client, 16, 0);
        link.client.qp.postSend(send(7, src, 0, 8));
        WorkCompletion wc = awaitCompletion(link.client.cq);
        assertStatus(WcStatus.WR_FLUSH_ERROR, wc);
        assertEquals(7, wc.wrId());
        link.server.postReceive(0);
        assertFlushed(awaitCompletions(link.server.cq, 1), WcOpcode.RECV);
    }

    private static void assertFlushed(List<WorkCompletion> completions, WcOpcode opcode) {
        for (WorkCompletion wc : completions) {
            assertStatus(WcStatus.WR_FLUSH_ERROR, wc);
            assertEquals(opcode, wc.opcode());
        }
    }

    @Test
    void aVanishedPeerFailsTheFirstUnacknowledgedSendAndFlushesTheRest() throws Exception {
        assumeRetryingRequestsStayPending();
        Link link = connect(spec().receives(2, 0));
        MemoryRegion src = register(link.client, 64, 0);
        MemoryRegion remote = register(link.server, 64, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        // the peer has no receive: the first SEND stays unacknowledged while it is retried
        link.client.qp.postSend(send(1, src, 0, 8));
        link.client.qp.postSend(send(2, src, 0, 8));
        link.client.qp.postSend(write(3, src, 8, remote.address(), remote.rkey()));
        abortConnection(link.server.id);
        link.client.events.awaitType(CmEventType.DISCONNECTED, timeout());
        List<WorkCompletion> done = awaitCompletions(link.client.cq, 5);
        int sends = 0;
        for (WorkCompletion wc : done) {
            if (wc.opcode() == WcOpcode.RECV) {
                assertStatus(WcStatus.WR_FLUSH_ERROR, wc);
                continue;
            }
            sends++;
            if (wc.wrId() == 1) {
                assertStatus(WcStatus.RETRY_EXCEEDED_ERROR, wc);
            } else {
                assertStatus(WcStatus.WR_FLUSH_ERROR, wc);
            }
        }
        assertEquals(3, sends);
        assertEquals(QpState.ERROR, link.client.qp.state());
    }
}
