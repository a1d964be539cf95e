package dev.rtrs.verbs.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Remote access rules: rkey, bounds and access flags are checked at the responder; a violation fails the
 * request with REMOTE_ACCESS_ERROR, moves both queue pairs to the error state, flushes what is outstanding and
 * leaves the target memory unchanged. Invalidation (LOCAL_INV, SEND_WITH_INV) and fast registration.
 */
public abstract class RemoteAccessConformanceTest extends VerbsConformanceSupport {

    private static final int TARGET = 64 * 1024;
    private static final int ALL_REMOTE = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ;

    /** A target region on the server filled with a known pattern. */
    private MemoryRegion target(Link link, int access) throws Exception {
        MemoryRegion t = register(link.server, TARGET, access);
        fill(t, randomBytes(TARGET, 99));
        return t;
    }

    private MemoryRegion source(Link link, int size) throws Exception {
        MemoryRegion s = register(link.client, size, Access.LOCAL_WRITE);
        fill(s, randomBytes(size, 7));
        return s;
    }

    private static void assertUnchanged(MemoryRegion t) {
        assertArrayEquals(randomBytes(TARGET, 99), contents(t, 0, TARGET), "target memory must be unchanged");
    }

    /**
     * Posts {@code bad}, then a SEND and a WRITE behind it: the bad request fails with REMOTE_ACCESS_ERROR, the
     * others are flushed, both queue pairs end in the error state and the server's receives are flushed.
     */
    private void assertRefusedAndFlushed(Link link, SendWorkRequest bad, int serverReceives) throws Exception {
        MemoryRegion s = source(link, 64);
        MemoryRegion spare = register(link.server, 64, ALL_REMOTE);
        link.client.qp.postSend(
                new SendWorkRequest[] {bad, send(2, s, 0, 8), write(3, s, 8, spare.address(), spare.rkey())}, 3);
        List<WorkCompletion> done = awaitCompletions(link.client.cq, 3);
        assertStatus(WcStatus.REMOTE_ACCESS_ERROR, done.get(0));
        assertEquals(bad.wrId(), done.get(0).wrId());
        assertStatus(WcStatus.WR_FLUSH_ERROR, done.get(1));
        assertStatus(WcStatus.WR_FLUSH_ERROR, done.get(2));
        assertEquals(QpState.ERROR, link.client.qp.state());
        List<WorkCompletion> flushed = awaitCompletions(link.server.cq, serverReceives);
        for (WorkCompletion wc : flushed) {
            assertStatus(WcStatus.WR_FLUSH_ERROR, wc);
            assertEquals(WcOpcode.RECV, wc.opcode());
        }
        awaitState(link.server.qp, QpState.ERROR);
    }

    @Test
    void aWriteWithAnInvalidRkeyFailsAndLeavesMemoryUnchanged() throws Exception {
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion s = source(link, TARGET);
        int wrongVariant = (t.rkey() & ~0xFF) | ((t.rkey() + 0x80) & 0xFF);
        assertRefusedAndFlushed(link, write(1, s, TARGET, t.address(), wrongVariant), 8);
        assertUnchanged(t);
    }

    @Test
    void aLargeRefusedWriteIsDrainedWithoutTouchingMemory() throws Exception {
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion s = source(link, 4 << 20);
        assertRefusedAndFlushed(link, write(1, s, 4 << 20, t.address(), t.rkey()), 8);
        assertUnchanged(t);
        // the connection itself is intact: an orderly disconnect reaches both sides without an error
        link.client.id.disconnect();
        assertEquals(
                0,
                link.client
                        .events
                        .awaitType(CmEventType.DISCONNECTED, timeout())
                        .status());
        assertEquals(
                0,
                link.server
                        .events
                        .awaitType(CmEventType.DISCONNECTED, timeout())
                        .status());
    }

    @Test
    void aWriteBeyondTheRegionFails() throws Exception {
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion s = source(link, 64);
        assertRefusedAndFlushed(link, write(1, s, 20, t.address() + TARGET - 10, t.rkey()), 8);
        assertUnchanged(t);
    }

    @Test
    void aWriteBeforeTheRegionFails() throws Exception {
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion s = source(link, 64);
        assertRefusedAndFlushed(link, write(1, s, 20, t.address() - 4, t.rkey()), 8);
        assertUnchanged(t);
    }

    @Test
    void aWriteWithoutRemoteWriteAccessFails() throws Exception {
        Link link = connect();
        MemoryRegion t = target(link, Access.LOCAL_WRITE | Access.REMOTE_READ);
        MemoryRegion s = source(link, 64);
        assertRefusedAndFlushed(link, write(1, s, 64, t.address(), t.rkey()), 8);
        assertUnchanged(t);
    }

    @Test
    void aReadWithoutRemoteReadAccessFails() throws Exception {
        Link link = connect();
        MemoryRegion t = target(link, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        MemoryRegion dst = register(link.client, 64, Access.LOCAL_WRITE);
        assertRefusedAndFlushed(link, read(1, dst, 64, t.address(), t.rkey()), 8);
        assertArrayEquals(new byte[64], contents(dst, 0, 64), "nothing was read");
    }

    @Test
    void aReadBeyondTheRegionFails() throws Exception {
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion dst = register(link.client, 64, Access.LOCAL_WRITE);
        assertRefusedAndFlushed(link, read(1, dst, 64, t.address() + TARGET - 32, t.rkey()), 8);
    }

    @Test
    void aClosedRegionRefusesRemoteAccess() throws Exception {
        Link link = connect();
        MemoryRegion t = link.server.pd.register(ByteBuffer.allocateDirect(4096), ALL_REMOTE);
        long address = t.address();
        int rkey = t.rkey();
        t.close();
        assertFalse(t.isRemotelyAccessible());
        MemoryRegion s = source(link, 64);
        assertRefusedAndFlushed(link, write(1, s, 64, address, rkey), 8);
    }

    @Test
    void localInvalidateFencesRemoteWrites() throws Exception {
        assumeCapability(Capability.LOCAL_INVALIDATE);
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion s = source(link, 64);
        link.client.qp.postSend(write(1, s, 64, t.address(), t.rkey()));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
        fill(t, randomBytes(TARGET, 99));
        assertTrue(t.isRemotelyAccessible());
        link.server.qp.postSend(
                new SendWorkRequest().reset(50, SendOpcode.LOCAL_INV).invalidate(t.rkey()));
        WorkCompletion inv = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, inv);
        assertEquals(WcOpcode.LOCAL_INV, inv.opcode());
        assertFalse(t.isRemotelyAccessible());
        assertRefusedAndFlushed(link, write(1, s, 64, t.address(), t.rkey()), 8);
        assertUnchanged(t);
    }

    @Test
    void sendWithInvalidateInvalidatesTheNamedKeyBeforeTheReceiveCompletes() throws Exception {
        assumeCapability(Capability.SEND_WITH_INVALIDATE);
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion s = source(link, 64);
        link.client.qp.postSend(new SendWorkRequest(1)
                .reset(1, SendOpcode.SEND_WITH_INV)
                .addSge(s, 0, 16)
                .invalidate(t.rkey()));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
        WorkCompletion got = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, got);
        assertEquals(WcOpcode.RECV, got.opcode());
        assertTrue(got.hasInvalidate());
        assertEquals(t.rkey(), got.invalidatedRkey());
        assertFalse(t.isRemotelyAccessible(), "invalidated before the receive completion was seen");
        assertRefusedAndFlushed(link, write(2, s, 64, t.address(), t.rkey()), 7);
        assertUnchanged(t);
    }

    @Test
    void fastRegistrationGivesAFreshKeyAndRetiresTheOldOne() throws Exception {
        assumeCapability(Capability.FAST_REGISTRATION);
        assumeCapability(Capability.LOCAL_INVALIDATE);
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion s = source(link, 64);
        int old = t.rkey();
        link.server.qp.postSend(
                new SendWorkRequest().reset(1, SendOpcode.LOCAL_INV).invalidate(old));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.server.cq));

        int fresh = t.updateKey();
        assertEquals(fresh, t.rkey());
        assertEquals(fresh, t.lkey());
        assertEquals(old & ~0xFF, fresh & ~0xFF, "same region index");
        assertEquals((old + 1) & 0xFF, fresh & 0xFF, "low 8 bits incremented");
        assertFalse(t.isRemotelyAccessible(), "the new key is valid only once REG_MR completed");

        link.server.qp.postSend(
                new SendWorkRequest().reset(2, SendOpcode.REG_MR).registration(t, ALL_REMOTE));
        WorkCompletion reg = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, reg);
        assertEquals(WcOpcode.REG_MR, reg.opcode());
        assertTrue(t.isRemotelyAccessible());
        assertEquals(ALL_REMOTE, t.access());

        link.client.qp.postSend(write(3, s, 64, t.address(), fresh));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
        assertArrayEquals(randomBytes(64, 7), contents(t, 0, 64), "the new key reaches the memory");

        fill(t, randomBytes(TARGET, 99));
        assertRefusedAndFlushed(link, write(4, s, 64, t.address(), old), 8);
        assertUnchanged(t);
    }

    @Test
    void registrationWithoutInvalidationAlsoRetiresTheOldKey() throws Exception {
        assumeCapability(Capability.FAST_REGISTRATION);
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion s = source(link, 64);
        int old = t.rkey();
        int fresh = t.updateKey();
        assertNotEquals(old, fresh);
        link.server.qp.postSend(
                new SendWorkRequest().reset(2, SendOpcode.REG_MR).registration(t, ALL_REMOTE));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.server.cq));
        fill(t, randomBytes(TARGET, 99));
        assertRefusedAndFlushed(link, write(4, s, 64, t.address(), old), 8);
        assertUnchanged(t);
    }

    @Test
    void aSendFromAnUnknownLkeyIsALocalProtectionError() throws Exception {
        Link link = connect();
        MemoryRegion s = source(link, 64);
        link.client.qp.postSend(
                new SendWorkRequest(1).reset(1, SendOpcode.SEND).addSge(s.address(), 8, s.lkey() ^ 0x5500));
        assertStatus(WcStatus.LOCAL_PROTECTION_ERROR, awaitCompletion(link.client.cq));
        awaitState(link.client.qp, QpState.ERROR);
    }

    @Test
    void aSendBeyondItsRegionIsALocalProtectionError() throws Exception {
        Link link = connect();
        MemoryRegion s = source(link, 64);
        link.client.qp.postSend(new SendWorkRequest(1).reset(1, SendOpcode.SEND).addSge(s, 60, 8));
        assertStatus(WcStatus.LOCAL_PROTECTION_ERROR, awaitCompletion(link.client.cq));
        awaitState(link.client.qp, QpState.ERROR);
    }

    @Test
    void aReceiveIntoMemoryWithoutLocalWriteFails() throws Exception {
        Link link = connect(spec().receives(0, 0));
        MemoryRegion readOnly = register(link.server, 64, Access.REMOTE_READ);
        link.server.qp.postReceive(new ReceiveWorkRequest().reset(9).addSge(readOnly, 0, 64));
        MemoryRegion s = source(link, 64);
        link.client.qp.postSend(send(1, s, 0, 32));
        WorkCompletion got = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.LOCAL_PROTECTION_ERROR, got);
        assertEquals(9, got.wrId());
        assertFalse(awaitCompletion(link.client.cq).isSuccess(), "the sender learns its SEND failed");
        assertArrayEquals(new byte[64], contents(readOnly, 0, 64));
    }

    @Test
    void aReadIntoMemoryWithoutLocalWriteFails() throws Exception {
        Link link = connect();
        MemoryRegion t = target(link, ALL_REMOTE);
        MemoryRegion dst = register(link.client, 64, Access.REMOTE_READ);
        link.client.qp.postSend(read(1, dst, 64, t.address(), t.rkey()));
        assertStatus(WcStatus.LOCAL_PROTECTION_ERROR, awaitCompletion(link.client.cq));
        awaitState(link.client.qp, QpState.ERROR);
        assertArrayEquals(new byte[64], contents(dst, 0, 64));
    }

    @Test
    void registrationRefusesHeapBuffersAndBadFlags() throws Exception {
        Link link = connect();
        assertErrno(Errno.EINVAL, () -> link.client.pd.register(ByteBuffer.allocate(64), Access.LOCAL_WRITE));
        assertErrno(Errno.EINVAL, () -> link.client.pd.register(ByteBuffer.allocateDirect(64), 1 << 7));
        assertErrno(Errno.EINVAL, () -> link.client.pd.register(ByteBuffer.allocateDirect(64), Access.REMOTE_WRITE));
    }

    @Test
    void regionsHaveDistinctKeysAndDisjointAddresses() throws Exception {
        Link link = connect();
        List<MemoryRegion> regions = new ArrayList<>();
        Set<Integer> keys = new HashSet<>();
        for (int i = 0; i < 16; i++) {
            MemoryRegion r = register(link.client, 1000 + i * 4096, Access.LOCAL_WRITE);
            regions.add(r);
            assertTrue(keys.add(r.rkey()), "distinct rkeys");
            assertEquals(1000 + i * 4096, r.length());
            assertEquals(0, r.buffer().position());
            assertEquals(r.length(), r.buffer().limit());
        }
        for (MemoryRegion a : regions) {
            for (MemoryRegion b : regions) {
                if (a != b) {
                    boolean disjoint =
                            a.address() + a.length() <= b.address() || b.address() + b.length() <= a.address();
                    assertTrue(disjoint, a + " overlaps " + b);
                }
            }
        }
    }

    @Test
    void aRegionSeesTheCallersBytesFromTheBuffersPosition() throws Exception {
        Link link = connect();
        ByteBuffer buffer = ByteBuffer.allocateDirect(100);
        buffer.position(10).limit(60);
        MemoryRegion r = closeLater(link.server.pd.register(buffer, ALL_REMOTE));
        assertEquals(50, r.length());
        assertEquals(10, buffer.position(), "the caller's position is untouched");
        MemoryRegion s = source(link, 50);
        link.client.qp.postSend(write(1, s, 50, r.address(), r.rkey()));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
        byte[] inBuffer = new byte[50];
        buffer.duplicate().position(10).get(inBuffer);
        assertArrayEquals(randomBytes(50, 7), inBuffer);
    }
}
