package dev.rtrs.block.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdIo;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.Direction;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a mapped device sends for each operation: the RNBD IO header, the data (the caller's buffer itself, or
 * views of its pieces), the pieces of a large request and its one completion, a retry after a remap; and that
 * steady IO allocates nothing in the RNBD client.
 */
class MappedDeviceIoTest {

    private static final int MAX_IO = 64 * 1024;
    private static final int DEVICE_ID = 3;

    private final FakeClientSession session = new FakeClientSession(8, MAX_IO);
    private final SessionHandle handle = new SessionHandle(null, "s1");
    private final MappedDevice device = new MappedDevice("d1", "vol1", AccessMode.RW, handle, 30_000);
    private final List<Integer> completions = new ArrayList<>();

    MappedDeviceIoTest() {
        handle.attach(session);
        // 1 GiB, 512-byte blocks, discards of up to 1 MiB, no WRITE_ZEROES
        device.opened(new RnbdOpenRsp(DEVICE_ID, 1L << 21, 0, 0, 2048, 512, 0, 512, 512, 128, 0, 0, 0));
    }

    private RnbdIo header(int submission) throws Exception {
        byte[] h = session.submitted.get(submission).header();
        assertEquals(RnbdIo.SIZE, h.length);
        return RnbdCodec.decodeIo(ByteBuffer.wrap(h), 0, h.length);
    }

    private ByteBuffer data(int submission) {
        ByteBuffer[] data = session.submitted.get(submission).data();
        assertEquals(1, data.length);
        return data[0];
    }

    @Test
    void anIoOfAWholeBufferSendsTheBufferItselfAndLeavesItAsItWas() throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(8192).position(512).limit(512 + 4096);
        device.read(8192, dst, completions::add);
        assertEquals(Direction.READ, session.submitted.get(0).direction());
        assertEquals(new RnbdIo(DEVICE_ID, 16, IoOperation.READ, 0, 4096, 0), header(0));
        assertSame(dst, data(0));
        session.complete(0, 0);
        assertEquals(List.of(0), completions);
        assertEquals(512, dst.position());
        assertEquals(512 + 4096, dst.limit());
    }

    @Test
    void theHeaderIsTheCodecsEncodingOfTheIo() throws Exception {
        device.write(1 << 20, ByteBuffer.allocate(4096), BlockDevice.FUA, completions::add);
        RnbdIo io = new RnbdIo(DEVICE_ID, 2048, IoOperation.WRITE, IoOperation.FLAG_FUA, 4096, 0);
        ByteBuffer expected = ByteBuffer.allocate(RnbdIo.SIZE);
        RnbdCodec.encode(io, expected, 0);
        assertArrayEquals(expected.array(), session.submitted.get(0).header());
        assertEquals(Direction.WRITE, session.submitted.get(0).direction());

        device.flush(completions::add);
        assertEquals(new RnbdIo(DEVICE_ID, 0, IoOperation.FLUSH, 0, 0, 0), header(1));
        assertEquals(0, session.submitted.get(1).data().length);
    }

    @Test
    void aLargeRequestGoesInPiecesThatCompleteItOnceWithTheFirstError() throws Exception {
        int length = 3 * MAX_IO + 8192;
        ByteBuffer dst = ByteBuffer.allocate(100 + length + 50).position(100).limit(100 + length);
        device.read(0, dst, completions::add);
        assertEquals(4, session.submitted.size());
        for (int i = 0; i < 4; i++) {
            int len = i < 3 ? MAX_IO : 8192;
            assertEquals(new RnbdIo(DEVICE_ID, i * MAX_IO / 512L, IoOperation.READ, 0, len, 0), header(i));
            ByteBuffer piece = data(i);
            assertEquals(100 + i * MAX_IO, piece.position(), "piece " + i);
            assertEquals(len, piece.remaining(), "piece " + i);
            piece.put(piece.position(), (byte) (i + 1));
            assertEquals(i + 1, dst.get(100 + i * MAX_IO), "a view of the caller's buffer");
        }
        session.complete(2, Errno.EIO);
        session.complete(0, 0);
        session.complete(3, Errno.ENOSPC);
        assertEquals(List.of(), completions, "a piece is left");
        session.complete(1, 0);
        assertEquals(List.of(Errno.EIO), completions);
        assertEquals(4, device.statistics().reads(), "each piece is an RNBD IO");
        assertEquals(100, dst.position());
        assertEquals(100 + length, dst.limit());
    }

    @Test
    void emulatedWriteZeroesSendsZeroesInPieces() throws Exception {
        long length = 2L * MAX_IO + 4096;
        device.writeZeroes(4096, length, completions::add);
        assertEquals(3, session.submitted.size());
        for (int i = 0; i < 3; i++) {
            int len = i < 2 ? MAX_IO : 4096;
            assertEquals(new RnbdIo(DEVICE_ID, 8 + i * MAX_IO / 512L, IoOperation.WRITE, 0, len, 0), header(i));
            ByteBuffer piece = data(i);
            assertEquals(len, piece.remaining());
            for (int at = piece.position(); at < piece.limit(); at++) {
                assertEquals(0, piece.get(at));
            }
            session.complete(i, 0);
        }
        assertEquals(List.of(0), completions);
    }

    @Test
    void aDiscardGoesInPiecesOfTheLargestDiscardWithoutData() throws Exception {
        device.discard(0, 1L << 20, completions::add);
        // the largest IO is smaller than the largest discard; the pieces beyond the permits wait for them
        assertEquals(8, session.submitted.size());
        assertEquals(new RnbdIo(DEVICE_ID, 128, IoOperation.DISCARD, 0, MAX_IO, 0), header(1));
        assertEquals(0, session.submitted.get(1).data().length);
        for (int i = 0; i < 16; i++) {
            session.complete(i, 0);
        }
        assertEquals(16, session.submitted.size());
        assertEquals(new RnbdIo(DEVICE_ID, 15 * 128, IoOperation.DISCARD, 0, MAX_IO, 0), header(15));
        assertEquals(List.of(0), completions);
    }

    @Test
    void anIoRetriedAfterARemapCarriesTheDevicesNewId() throws Exception {
        device.read(0, ByteBuffer.allocate(4096), completions::add);
        handle.suspend();
        session.complete(0, Errno.ECONNRESET);
        device.opened(new RnbdOpenRsp(9, 1L << 21, 0, 0, 2048, 512, 0, 512, 512, 128, 0, 0, 0));
        handle.resume();
        assertEquals(2, session.submitted.size());
        assertEquals(new RnbdIo(9, 0, IoOperation.READ, 0, 4096, 0), header(1));
        session.complete(1, 0);
        assertEquals(List.of(0), completions);
    }

    @Test
    void aPieceRetriedAfterALostLinkKeepsItsRequestTogether() throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(2 * MAX_IO);
        device.read(0, dst, completions::add);
        ByteBuffer secondPiece = data(1);
        session.complete(1, Errno.ECONNABORTED);
        assertEquals(3, session.submitted.size(), "sent again at once: the link is up");
        assertSame(session.submitted.get(1).callback(), session.submitted.get(2).callback());
        assertEquals(new RnbdIo(DEVICE_ID, MAX_IO / 512, IoOperation.READ, 0, MAX_IO, 0), header(2));
        assertSame(secondPiece, data(2));
        assertEquals(MAX_IO, data(2).position());
        session.complete(0, 0);
        assertEquals(List.of(), completions);
        session.complete(2, 0);
        assertEquals(List.of(0), completions);
        assertEquals(2, handle.pool().idleCount());
    }

    @Test
    void steadyIoAllocatesNothingInTheRnbdClient() {
        session.completeInline = true;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuffer small = ByteBuffer.allocateDirect(4096);
        ByteBuffer large = ByteBuffer.allocateDirect(1 << 20);
        int[] done = new int[1];
        BlockCompletion count = errno -> done[0] += errno == 0 ? 1 : 1_000_000;
        Runnable round = () -> {
            device.read(4096, small, count);
            device.write(8192, small, BlockDevice.FUA, count);
            device.read(1 << 20, large, count);
            device.write(1 << 20, large, 0, count);
            device.flush(count);
            device.discard(0, 1 << 20, count);
        };
        for (int i = 0; i < 20_000; i++) {
            round.run();
        }
        int rounds = 10_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(30_000 * 6, done[0], "every request completed without error");
        double perRequest = allocated / (rounds * 6.0);
        System.out.printf(
                "RNBD client: %d bytes allocated for %d requests (%.3f per request)%n",
                allocated, rounds * 6, perRequest);
        // measured 0; the margin covers a rare growth of a JDK-internal per-thread cache
        assertTrue(perRequest < 1.0, allocated + " bytes for " + rounds * 6 + " requests");
    }
}
