package dev.rtrs.verbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import java.lang.reflect.Proxy;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerbsApiTest {

    @Test
    void accessFlagsHaveIbverbsValues() {
        assertEquals(1, Access.LOCAL_WRITE);
        assertEquals(2, Access.REMOTE_WRITE);
        assertEquals(4, Access.REMOTE_READ);
        assertTrue(Access.allows(Access.ALL, Access.REMOTE_WRITE | Access.REMOTE_READ));
        assertFalse(Access.allows(Access.LOCAL_WRITE, Access.REMOTE_WRITE));
        assertEquals("LOCAL_WRITE|REMOTE_READ", Access.toString(Access.LOCAL_WRITE | Access.REMOTE_READ));
        assertEquals("NONE", Access.toString(0));
    }

    @Test
    void completionStatusRoundTripsIbverbsValues() {
        for (WcStatus s : WcStatus.values()) {
            assertEquals(s, WcStatus.fromWire(s.wireValue()));
        }
        assertEquals(10, WcStatus.REMOTE_ACCESS_ERROR.wireValue());
        assertEquals(13, WcStatus.RNR_RETRY_EXCEEDED_ERROR.wireValue());
        assertEquals(WcStatus.GENERAL_ERROR, WcStatus.fromWire(99));
    }

    @Test
    void errnoNamesAndException() {
        assertEquals("EIO", Errno.name(5));
        assertEquals("EIO", Errno.name(-5));
        assertEquals("errno 500", Errno.name(500));
        VerbsException e = new VerbsException(Errno.ENOMEM, "send queue full");
        assertEquals(12, e.errno());
        assertEquals("ENOMEM: send queue full", e.getMessage());
    }

    @Test
    void sendWorkRequestIsBoundedAndReusable() {
        SendWorkRequest wr = new SendWorkRequest(2);
        wr.reset(7, SendOpcode.RDMA_WRITE_WITH_IMM)
                .addSge(0x1000, 10, 1)
                .addSge(0x2000, 20, 1)
                .remote(0x9000, 42)
                .immediate(0x10000003);
        assertEquals(30, wr.totalLength());
        assertThrows(IllegalStateException.class, () -> wr.addSge(0x3000, 1, 1));
        wr.reset(8, SendOpcode.SEND);
        assertEquals(0, wr.sgeCount());
        assertEquals(0, wr.rkey());
        assertTrue(wr.isSignaled());
        assertThrows(IndexOutOfBoundsException.class, () -> wr.sge(0));
    }

    @Test
    void workCompletionResetsOptionalFields() {
        WorkCompletion wc = new WorkCompletion();
        wc.set(1, WcStatus.SUCCESS, WcOpcode.RECV_RDMA_WITH_IMM, 0, null)
                .immediate(5)
                .invalidated(9);
        assertTrue(wc.hasImmediate() && wc.hasInvalidate());
        WorkCompletion copy = new WorkCompletion().copyFrom(wc);
        assertEquals(5, copy.immediateData());
        wc.set(2, WcStatus.WR_FLUSH_ERROR, WcOpcode.SEND, 0, null);
        assertFalse(wc.hasImmediate() || wc.hasInvalidate() || wc.isSuccess());
    }

    @Test
    void capabilitiesAreImmutable() {
        DeviceCapabilities caps = new DeviceCapabilities(
                1024, 4, 4096, 1L << 30, 56, Set.of(DeviceCapabilities.Capability.LOCAL_INVALIDATE));
        assertTrue(caps.supports(DeviceCapabilities.Capability.LOCAL_INVALIDATE));
        assertFalse(caps.supports(DeviceCapabilities.Capability.FAST_REGISTRATION));
        assertThrows(
                UnsupportedOperationException.class,
                () -> caps.optional().add(DeviceCapabilities.Capability.FAST_REGISTRATION));
    }

    @Test
    void queuePairAttributesLeaveTheAckTimeoutToTheProviderUnlessGiven() {
        CompletionQueue cq = (CompletionQueue) Proxy.newProxyInstance(
                CompletionQueue.class.getClassLoader(), new Class<?>[] {CompletionQueue.class}, (p, m, a) -> null);
        QueuePairAttributes sized = new QueuePairAttributes(cq, cq, 16, 8, 2, 1);
        assertEquals(QueuePairAttributes.PROVIDER_DEFAULT, sized.ackTimeout());
        assertEquals(QueuePairAttributes.PROVIDER_DEFAULT, sized.retryCount());
        QueuePairAttributes timed = sized.withAckTimeout(14).withRetryCount(0);
        assertEquals(14, timed.ackTimeout());
        assertEquals(0, timed.retryCount());
        assertEquals(16, timed.maxSendWr());
        assertEquals(1, timed.maxReceiveSge());
        assertEquals(
                QueuePairAttributes.PROVIDER_DEFAULT, timed.withAckTimeout(-1).ackTimeout());
        assertThrows(IllegalArgumentException.class, () -> sized.withAckTimeout(32));
        assertThrows(IllegalArgumentException.class, () -> sized.withAckTimeout(-2));
        assertThrows(IllegalArgumentException.class, () -> sized.withRetryCount(8));

        assertEquals(0, QueuePairAttributes.ackTimeoutNanos(0));
        assertEquals(8192, QueuePairAttributes.ackTimeoutNanos(1));
        // 14: 67.1 ms; 17: 0.54 s
        assertEquals(67_108_864, QueuePairAttributes.ackTimeoutNanos(14));
        assertEquals(536_870_912, QueuePairAttributes.ackTimeoutNanos(17));
        assertEquals(4096L << 31, QueuePairAttributes.ackTimeoutNanos(31));
        assertThrows(IllegalArgumentException.class, () -> QueuePairAttributes.ackTimeoutNanos(32));
    }
}
