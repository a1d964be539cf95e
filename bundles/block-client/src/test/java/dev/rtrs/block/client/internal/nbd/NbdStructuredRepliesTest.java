package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Structured replies and the base:allocation metadata context, byte by byte: the option replies, then each
 * reply chunk's header fields and payload at their offsets.
 */
@Timeout(60)
class NbdStructuredRepliesTest {

    private static final int SIZE = 8 * 1024 * 1024;

    private ArrayDevice demo;
    /** Larger than the extents of one reply can describe at one sector each. */
    private ArrayDevice big;

    private NbdServer server;

    @BeforeEach
    void start() throws Exception {
        demo = new ArrayDevice("demo", SIZE, false);
        big = new ArrayDevice("big", 12 * 1024 * 1024, false);
        server = new NbdServer(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                new MapExports(demo, big, new ArrayDevice("other", 1024 * 1024, false)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A client with structured replies, base:allocation selected for {@code export}, in transmission on it. */
    private NbdWireClient structuredWithAllocation(String export) throws Exception {
        NbdWireClient c = new NbdWireClient(server.localAddress());
        assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_STRUCTURED_REPLY));
        List<NbdWireClient.OptionReply> set =
                c.option(Nbd.OPT_SET_META_CONTEXT, NbdWireClient.metaData(export, Nbd.ALLOCATION_CONTEXT));
        assertEquals(2, set.size());
        c.go(export);
        return c;
    }

    private NbdWireClient structuredWithAllocation() throws Exception {
        return structuredWithAllocation("demo");
    }

    @Test
    void structuredRepliesAreAgreedAndAddDfToTheFlags() throws Exception {
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            assertEquals(
                    Nbd.REP_ERR_INVALID,
                    c.option(Nbd.OPT_STRUCTURED_REPLY, new byte[1]).get(0).type(),
                    "the option takes no data");
            assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_STRUCTURED_REPLY));
            assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_STRUCTURED_REPLY), "asking twice is fine");
            int flags = c.go("demo");
            int expected = Nbd.TX_HAS_FLAGS
                    | Nbd.TX_SEND_FLUSH
                    | Nbd.TX_SEND_FUA
                    | Nbd.TX_SEND_TRIM
                    | Nbd.TX_SEND_WRITE_ZEROES
                    | Nbd.TX_SEND_DF
                    | Nbd.TX_CAN_MULTI_CONN
                    | Nbd.TX_SEND_CACHE
                    | Nbd.TX_SEND_FAST_ZERO;
            assertEquals(expected, flags);
        }
        try (NbdWireClient simple = new NbdWireClient(server.localAddress())) {
            assertEquals(0, simple.go("demo") & Nbd.TX_SEND_DF, "no DF without chunked replies");
        }
    }

    @Test
    void readsAnswerWithOneDataChunkOrOneHoleChunkAndOtherCommandsWithNone() throws Exception {
        try (NbdWireClient c = structuredWithAllocation()) {
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 0x3C);
            c.request(0, Nbd.CMD_WRITE, 1, 8192, 4096, data);
            NbdWireClient.Chunk none = c.structuredChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, none.flags());
            assertEquals(Nbd.REPLY_TYPE_NONE, none.type());
            assertEquals(1, none.cookie());
            assertEquals(0, none.payload().length);

            c.request(Nbd.CMD_FLAG_DF, Nbd.CMD_READ, 2, 8192, 4096, null);
            NbdWireClient.Chunk read = c.structuredChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, read.flags(), "one chunk, the last");
            assertEquals(Nbd.REPLY_TYPE_OFFSET_DATA, read.type());
            assertEquals(2, read.cookie());
            assertEquals(8 + 4096, read.payload().length);
            assertEquals(8192, read.buffer().getLong(0), "the data's offset");
            assertArrayEquals(data, Arrays.copyOfRange(read.payload(), 8, 8 + 4096));

            c.request(0, Nbd.CMD_READ, 3, 65536, 8192, null);
            NbdWireClient.Chunk hole = c.structuredChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, hole.flags());
            assertEquals(Nbd.REPLY_TYPE_OFFSET_HOLE, hole.type(), "zeroes travel as a hole");
            assertEquals(3, hole.cookie());
            assertEquals(12, hole.payload().length);
            assertEquals(65536, hole.buffer().getLong(0));
            assertEquals(8192, hole.buffer().getInt(8));

            c.request(0, Nbd.CMD_FLUSH, 4, 0, 0, null);
            assertEquals(Nbd.REPLY_TYPE_NONE, c.structuredChunk().type());
        }
    }

    @Test
    void refusalsAreErrorChunksAndDeviceFailuresCarryTheOffset() throws Exception {
        try (NbdWireClient c = structuredWithAllocation()) {
            c.request(0, Nbd.CMD_READ, 1, SIZE, 4096, null);
            NbdWireClient.Chunk refused = c.structuredChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, refused.flags());
            assertEquals(Nbd.REPLY_TYPE_ERROR, refused.type());
            assertEquals(1, refused.cookie());
            assertEquals(6, refused.payload().length, "error and an empty message");
            assertEquals(Nbd.EINVAL, refused.buffer().getInt(0));
            assertEquals(0, refused.buffer().getShort(4));

            demo.failWith = Errno.EIO;
            c.request(0, Nbd.CMD_READ, 2, 4096, 4096, null);
            NbdWireClient.Chunk failed = c.structuredChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, failed.flags());
            assertEquals(Nbd.REPLY_TYPE_ERROR_OFFSET, failed.type());
            assertEquals(2, failed.cookie());
            assertEquals(14, failed.payload().length);
            assertEquals(Nbd.EIO, failed.buffer().getInt(0));
            assertEquals(0, failed.buffer().getShort(4));
            assertEquals(4096, failed.buffer().getLong(6), "nothing from the request's offset on is good");

            c.request(0, Nbd.CMD_WRITE, 3, 4096, 512, new byte[512]);
            NbdWireClient.Chunk write = c.structuredChunk();
            assertEquals(Nbd.REPLY_TYPE_ERROR_OFFSET, write.type());
            assertEquals(Nbd.EIO, write.buffer().getInt(0));
            demo.failWith = 0;
            c.request(0, Nbd.CMD_READ, 4, 0, 0, null);
            NbdWireClient.Chunk empty = c.structuredChunk();
            assertEquals(Nbd.REPLY_TYPE_NONE, empty.type(), "a zero-length read has no content chunk");
            assertEquals(Nbd.REPLY_FLAG_DONE, empty.flags());
        }
    }

    @Test
    void metaContextsNeedChunkedRepliesAndOnlyBaseAllocationExists() throws Exception {
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            byte[] select = NbdWireClient.metaData("demo", Nbd.ALLOCATION_CONTEXT);
            assertEquals(
                    List.of(Nbd.REP_ERR_INVALID),
                    types(c.option(Nbd.OPT_SET_META_CONTEXT, select)),
                    "not before structured replies");
            assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_STRUCTURED_REPLY));

            for (String[] queries : new String[][] {{}, {"base:"}, {"base:allocation", "base:"}}) {
                List<NbdWireClient.OptionReply> listed =
                        c.option(Nbd.OPT_LIST_META_CONTEXT, NbdWireClient.metaData("demo", queries));
                assertEquals(List.of(Nbd.REP_META_CONTEXT, Nbd.REP_ACK), types(listed), Arrays.toString(queries));
                ByteBuffer context = listed.get(0).buffer();
                assertEquals(0, context.getInt(0), "a listed context's id is zero");
                assertEquals(Nbd.ALLOCATION_CONTEXT, utf8(listed.get(0).data(), 4));
            }
            assertEquals(
                    List.of(Nbd.REP_ACK),
                    types(c.option(
                            Nbd.OPT_LIST_META_CONTEXT,
                            NbdWireClient.metaData("demo", "qemu:dirty-bitmap:b", "base:nothing"))),
                    "unknown namespaces and leaves are ignored");
            assertEquals(
                    List.of(Nbd.REP_ERR_UNKNOWN),
                    types(c.option(Nbd.OPT_LIST_META_CONTEXT, NbdWireClient.metaData("nope"))));
            byte[] truncated = Arrays.copyOf(select, select.length - 1);
            assertEquals(List.of(Nbd.REP_ERR_INVALID), types(c.option(Nbd.OPT_SET_META_CONTEXT, truncated)));
            byte[] tooManyQueries = ByteBuffer.allocate(12)
                    .putInt(4)
                    .put("demo".getBytes(StandardCharsets.US_ASCII))
                    .putInt(1000)
                    .array();
            assertEquals(List.of(Nbd.REP_ERR_INVALID), types(c.option(Nbd.OPT_SET_META_CONTEXT, tooManyQueries)));
            assertEquals(
                    List.of(Nbd.REP_ACK),
                    types(c.option(Nbd.OPT_SET_META_CONTEXT, NbdWireClient.metaData("demo", "base:"))),
                    "the namespace alone selects nothing");

            List<NbdWireClient.OptionReply> selected = c.option(
                    Nbd.OPT_SET_META_CONTEXT, NbdWireClient.metaData("demo", "x-other:thing", Nbd.ALLOCATION_CONTEXT));
            assertEquals(List.of(Nbd.REP_META_CONTEXT, Nbd.REP_ACK), types(selected));
            assertEquals(4 + Nbd.ALLOCATION_CONTEXT.length(), selected.get(0).data().length);
            assertEquals(Nbd.ALLOCATION_CONTEXT_ID, selected.get(0).buffer().getInt(0));
            assertEquals(Nbd.ALLOCATION_CONTEXT, utf8(selected.get(0).data(), 4));
            c.go("demo");
            c.request(0, Nbd.CMD_BLOCK_STATUS, 1, 0, 4096, null);
            assertEquals(Nbd.REPLY_TYPE_BLOCK_STATUS, c.structuredChunk().type());
        }
    }

    @Test
    void blockStatusAnswersMergedExtentsOneChunkPerContext() throws Exception {
        Arrays.fill(demo.data, 4096, 8192, (byte) 1);
        Arrays.fill(demo.data, 65536, 65536 + 512, (byte) 1);
        try (NbdWireClient c = structuredWithAllocation()) {
            c.request(0, Nbd.CMD_BLOCK_STATUS, 7, 0, 131072, null);
            NbdWireClient.Chunk status = c.structuredChunk();
            assertEquals(Nbd.REPLY_FLAG_DONE, status.flags());
            assertEquals(Nbd.REPLY_TYPE_BLOCK_STATUS, status.type());
            assertEquals(7, status.cookie());
            long[][] expected = {
                {4096, Nbd.STATE_HOLE | Nbd.STATE_ZERO},
                {4096, 0},
                {65536 - 8192, Nbd.STATE_HOLE | Nbd.STATE_ZERO},
                {512, 0},
                {65536 - 512, Nbd.STATE_HOLE | Nbd.STATE_ZERO}
            };
            ByteBuffer p = status.buffer();
            assertEquals(4 + 8 * expected.length, p.remaining());
            assertEquals(Nbd.ALLOCATION_CONTEXT_ID, p.getInt(0));
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i][0], Integer.toUnsignedLong(p.getInt(4 + 8 * i)), "length of extent " + i);
                assertEquals(expected[i][1], p.getInt(8 + 8 * i), "flags of extent " + i);
            }

            c.request(Nbd.CMD_FLAG_REQ_ONE, Nbd.CMD_BLOCK_STATUS, 8, 0, 131072, null);
            ByteBuffer one = c.structuredChunk().buffer();
            assertEquals(12, one.remaining(), "REQ_ONE: one descriptor");
            assertEquals(4096, one.getInt(4));
            assertEquals(Nbd.STATE_HOLE | Nbd.STATE_ZERO, one.getInt(8));

            c.request(0, Nbd.CMD_BLOCK_STATUS, 9, 0, 0, null);
            assertEquals(Nbd.EINVAL, errorOf(c.structuredChunk()), "a zero length");
            c.request(0, Nbd.CMD_BLOCK_STATUS, 10, SIZE - 4096, 8192, null);
            assertEquals(Nbd.EINVAL, errorOf(c.structuredChunk()), "past the end");
            c.request(Nbd.CMD_FLAG_DF, Nbd.CMD_BLOCK_STATUS, 11, 0, 4096, null);
            assertEquals(Nbd.EINVAL, errorOf(c.structuredChunk()), "DF is for READ");
        }
    }

    @Test
    void blockStatusNeedsAContextSelectedForTheSameExport() throws Exception {
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            assertEquals(Nbd.REP_ACK, c.simpleOption(Nbd.OPT_STRUCTURED_REPLY));
            c.option(Nbd.OPT_SET_META_CONTEXT, NbdWireClient.metaData("other", Nbd.ALLOCATION_CONTEXT));
            c.go("demo");
            c.request(0, Nbd.CMD_BLOCK_STATUS, 1, 0, 4096, null);
            assertEquals(Nbd.EINVAL, errorOf(c.structuredChunk()));
        }
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            c.go("demo");
            c.request(0, Nbd.CMD_BLOCK_STATUS, 2, 0, 4096, null);
            assertEquals(Nbd.EINVAL, c.simpleReply(2), "simple replies: no block status");
        }
    }

    @Test
    void aLongBlockStatusStopsAtTheLargestNumberOfDescriptors() throws Exception {
        int size = big.data.length;
        for (int sector = 1; sector < size / 512; sector += 2) {
            big.data[sector * 512] = 1;
        }
        assertTrue((long) NbdRequest.MAX_EXTENTS * 512 < size, "more sectors than descriptors");
        try (NbdWireClient c = structuredWithAllocation("big")) {
            c.request(0, Nbd.CMD_BLOCK_STATUS, 1, 0, size, null);
            ByteBuffer p = c.structuredChunk().buffer();
            assertEquals(4 + 8 * NbdRequest.MAX_EXTENTS, p.remaining(), "a client asks again from where it ended");
            for (int i = 0; i < NbdRequest.MAX_EXTENTS; i++) {
                assertEquals(512, p.getInt(4 + 8 * i));
                assertEquals(i % 2 == 0 ? Nbd.STATE_HOLE | Nbd.STATE_ZERO : 0, p.getInt(8 + 8 * i));
            }
        }
    }

    private static int errorOf(NbdWireClient.Chunk chunk) {
        assertEquals(Nbd.REPLY_TYPE_ERROR, chunk.type());
        assertEquals(Nbd.REPLY_FLAG_DONE, chunk.flags());
        return chunk.buffer().getInt(0);
    }

    private static List<Integer> types(List<NbdWireClient.OptionReply> replies) {
        return replies.stream().map(NbdWireClient.OptionReply::type).toList();
    }

    private static String utf8(byte[] data, int from) {
        return new String(data, from, data.length - from, StandardCharsets.UTF_8);
    }
}
