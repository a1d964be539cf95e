package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.block.backend.AbstractBlockDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Extended headers (NBD_OPT_EXTENDED_HEADERS), byte by byte: 32-byte requests with 64-bit lengths and payload
 * flags, 32-byte reply chunks that repeat the request's offset, and BLOCK_STATUS_EXT. Debian's libnbd 1.14 does
 * not ask for them (libnbd negotiates them from 1.18 on), so this is where they are tested.
 */
@Timeout(60)
class NbdExtendedHeadersTest {

    private static final long GIB = 1L << 30;

    private ArrayDevice demo;
    private HugeDevice huge;
    private NbdServer server;

    @BeforeEach
    void start() throws Exception {
        demo = new ArrayDevice("demo", 8 * 1024 * 1024, false);
        huge = new HugeDevice();
        server =
                new NbdServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), new MapExports(demo, huge));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private NbdWireClient extended(String export, boolean allocation) throws Exception {
        NbdWireClient c = new NbdWireClient(server.localAddress());
        assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_EXTENDED_HEADERS));
        if (allocation) {
            c.option(Nbd.OPT_SET_META_CONTEXT, NbdWireClient.metaData(export, Nbd.ALLOCATION_CONTEXT));
        }
        c.go(export);
        return c;
    }

    @Test
    void extendedHeadersTakePrecedenceOverStructuredReplies() throws Exception {
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            assertEquals(
                    Nbd.REP_ERR_INVALID,
                    c.option(Nbd.OPT_EXTENDED_HEADERS, new byte[2]).get(0).type());
            assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_STRUCTURED_REPLY));
            assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_EXTENDED_HEADERS), "after structured replies too");
            assertEquals(
                    Nbd.REP_ERR_EXT_HEADER_REQD,
                    c.simpleOption(Nbd.OPT_STRUCTURED_REPLY),
                    "no way back to structured replies");
            List<NbdWireClient.OptionReply> listed =
                    c.option(Nbd.OPT_LIST_META_CONTEXT, NbdWireClient.metaData("demo"));
            assertEquals(Nbd.REP_META_CONTEXT, listed.get(0).type(), "metadata contexts work with them");
            assertTrue((c.go("demo") & Nbd.TX_SEND_DF) != 0);
        }
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_EXTENDED_HEADERS));
            c.out.writeLong(Nbd.OPTION_MAGIC);
            c.out.writeInt(Nbd.OPT_EXPORT_NAME);
            c.out.writeInt(4);
            c.out.write("demo".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            assertTrue(c.closedByPeer(), "NBD_OPT_EXPORT_NAME is not allowed with extended headers");
        }
    }

    @Test
    void requestsAndRepliesUseThirtyTwoByteHeaders() throws Exception {
        try (NbdWireClient c = extended("demo", false)) {
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 0x77);
            c.extendedRequest(Nbd.CMD_FLAG_PAYLOAD_LEN, Nbd.CMD_WRITE, 0x1122334455667788L, 12288, 4096, data);
            NbdWireClient.Chunk written = c.extendedChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, written.flags());
            assertEquals(Nbd.REPLY_TYPE_NONE, written.type());
            assertEquals(0x1122334455667788L, written.cookie());
            assertEquals(12288, written.offset(), "an extended reply repeats the request's offset");
            assertEquals(0, written.payload().length);

            c.extendedRequest(0, Nbd.CMD_READ, 2, 12288, 4096, null);
            NbdWireClient.Chunk read = c.extendedChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, read.flags());
            assertEquals(Nbd.REPLY_TYPE_OFFSET_DATA, read.type());
            assertEquals(2, read.cookie());
            assertEquals(12288, read.offset());
            assertEquals(8 + 4096, read.payload().length);
            assertEquals(12288, read.buffer().getLong(0));
            assertArrayEquals(data, Arrays.copyOfRange(read.payload(), 8, read.payload().length));

            c.extendedRequest(0, Nbd.CMD_READ, 3, 1 << 20, 8192, null);
            NbdWireClient.Chunk hole = c.extendedChunk();
            assertEquals(Nbd.REPLY_TYPE_OFFSET_HOLE, hole.type());
            assertEquals(1 << 20, hole.offset());
            assertEquals(1 << 20, hole.buffer().getLong(0));
            assertEquals(8192, hole.buffer().getInt(8));

            c.extendedRequest(0, Nbd.CMD_WRITE, 4, 0, 4096, null);
            NbdWireClient.Chunk noPayload = c.extendedChunk();
            assertEquals(Nbd.REPLY_TYPE_ERROR, noPayload.type(), "a write must carry PAYLOAD_LEN");
            assertEquals(Nbd.EINVAL, noPayload.buffer().getInt(0));
            assertEquals(0, noPayload.offset());

            // a payload a command does not take is read and dropped, and the stream goes on
            c.extendedRequest(Nbd.CMD_FLAG_PAYLOAD_LEN, Nbd.CMD_FLUSH, 5, 0, 16, new byte[16]);
            assertEquals(Nbd.EINVAL, c.extendedChunk().buffer().getInt(0));
            c.extendedRequest(0, Nbd.CMD_FLUSH, 6, 0, 0, null);
            NbdWireClient.Chunk flushed = c.extendedChunk();
            assertEquals(6, flushed.cookie());
            assertEquals(Nbd.REPLY_TYPE_NONE, flushed.type());

            // two: the gateway reads 32 bytes for a header before it looks at the magic
            c.request(0, Nbd.CMD_FLUSH, 7, 0, 0, null);
            c.request(0, Nbd.CMD_FLUSH, 8, 0, 0, null);
            assertTrue(c.closedByPeer(), "a compact request after extended headers breaks the protocol");
        }
    }

    @Test
    void effectLengthsBeyondThirtyTwoBitsReachTheDevice() throws Exception {
        try (NbdWireClient c = extended("huge", true)) {
            c.extendedRequest(0, Nbd.CMD_WRITE_ZEROES, 1, GIB, 5 * GIB, null);
            assertEquals(Nbd.REPLY_TYPE_NONE, c.extendedChunk().type());
            c.extendedRequest(0, Nbd.CMD_TRIM, 2, 0, 6 * GIB, null);
            assertEquals(Nbd.REPLY_TYPE_NONE, c.extendedChunk().type());
            assertEquals(List.of("zeroes " + GIB + " " + 5 * GIB, "discard 0 " + 6 * GIB), List.copyOf(huge.calls));

            c.extendedRequest(0, Nbd.CMD_BLOCK_STATUS, 3, GIB, 6 * GIB, null);
            NbdWireClient.Chunk status = c.extendedChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, status.flags());
            assertEquals(Nbd.REPLY_TYPE_BLOCK_STATUS_EXT, status.type());
            assertEquals(3, status.cookie());
            assertEquals(GIB, status.offset());
            ByteBuffer p = status.buffer();
            assertEquals(8 + 2 * 16, p.remaining(), "context id, count, two 16-byte descriptors");
            assertEquals(Nbd.ALLOCATION_CONTEXT_ID, p.getInt(0));
            assertEquals(2, p.getInt(4));
            assertEquals(GIB, p.getLong(8), "64-bit extent lengths");
            assertEquals(0, p.getLong(16));
            assertEquals(5 * GIB, p.getLong(24));
            assertEquals(Nbd.STATE_HOLE | Nbd.STATE_ZERO, p.getLong(32), "the high 32 bits stay zero");

            c.extendedRequest(0, Nbd.CMD_BLOCK_STATUS, 4, 0, 9 * GIB, null);
            assertEquals(Nbd.REPLY_TYPE_ERROR, c.extendedChunk().type(), "past the end");
            c.extendedRequest(0, Nbd.CMD_READ, 5, 0, 5 * GIB, null);
            assertEquals(Nbd.REPLY_TYPE_ERROR, c.extendedChunk().type(), "a read above the maximum payload");
        }
    }

    @Test
    void aPayloadAboveTheMaximumClosesTheConnection() throws Exception {
        try (NbdWireClient c = extended("demo", false)) {
            c.extendedRequest(Nbd.CMD_FLAG_PAYLOAD_LEN, Nbd.CMD_BLOCK_STATUS, 1, 0, Nbd.MAX_REQUEST + 1L, null);
            assertTrue(c.closedByPeer(), "a payload that cannot be skipped at a bounded cost");
        }
    }

    /**
     * 8 GiB that exist only as calls: zeroes and discards are recorded; its first GiB is data, the rest a hole.
     */
    private static final class HugeDevice extends AbstractBlockDevice {
        final Queue<String> calls = new ConcurrentLinkedQueue<>();

        HugeDevice() {
            super("huge", 8 * GIB, 512, 4096, false);
        }

        @Override
        protected void doBlockStatus(long offset, long length, BlockStatusReceiver receiver) {
            long end = offset + length;
            if (offset < 2 * GIB && receiver.extent(Math.min(end, 2 * GIB) - offset, 0) && end > 2 * GIB) {
                receiver.extent(end - 2 * GIB, BlockStatusReceiver.HOLE | BlockStatusReceiver.ZERO);
            } else if (offset >= 2 * GIB) {
                receiver.extent(length, BlockStatusReceiver.HOLE | BlockStatusReceiver.ZERO);
            }
            receiver.complete(0);
        }

        @Override
        protected void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
            done.complete(0);
        }

        @Override
        protected void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
            done.complete(0);
        }

        @Override
        protected void doFlush(BlockCompletion done) {
            done.complete(0);
        }

        @Override
        protected void doDiscard(long offset, long length, BlockCompletion done) {
            calls.add("discard " + offset + " " + length);
            done.complete(0);
        }

        @Override
        protected void doWriteZeroes(long offset, long length, BlockCompletion done) {
            calls.add("zeroes " + offset + " " + length);
            done.complete(0);
        }

        @Override
        public boolean hasWriteCache() {
            return false;
        }

        @Override
        public boolean supportsFua() {
            return false;
        }

        @Override
        public boolean supportsDiscard() {
            return true;
        }

        @Override
        public boolean supportsWriteZeroes() {
            return true;
        }

        @Override
        protected void doClose() {}
    }
}
