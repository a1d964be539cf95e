package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Every field of each reply header at its byte offset, inside guard bytes that must stay as they were. */
class NbdReplyHeadersTest {

    private static final byte GUARD = (byte) 0xA5;
    private static final int BEFORE = 8;

    /** A buffer of guard bytes; the header goes into a slice that starts {@value #BEFORE} bytes in. */
    private static ByteBuffer guarded() {
        ByteBuffer b = ByteBuffer.allocate(BEFORE + 48 + 8);
        while (b.hasRemaining()) {
            b.put(GUARD);
        }
        return b.clear();
    }

    private static void assertGuards(ByteBuffer b, int size) {
        for (int i = 0; i < b.capacity(); i++) {
            if (i < BEFORE || i >= BEFORE + size) {
                assertEquals(GUARD, b.get(i), "guard byte " + i);
            }
        }
    }

    @Test
    void simpleReply() {
        ByteBuffer b = guarded();
        ByteBuffer slice = b.slice(BEFORE, 48);
        assertEquals(16, NbdReplyHeaders.simple(slice, Nbd.EIO, 0x0102030405060708L));
        assertEquals(0x67446698, b.getInt(BEFORE));
        assertEquals(5, b.getInt(BEFORE + 4));
        assertEquals(0x0102030405060708L, b.getLong(BEFORE + 8));
        assertEquals(0, slice.position(), "absolute puts: position and limit stay");
        assertEquals(48, slice.limit());
        assertGuards(b, 16);
    }

    @Test
    void structuredChunk() {
        ByteBuffer b = guarded();
        int size = NbdReplyHeaders.chunk(
                b.slice(BEFORE, 48),
                NbdHeaderMode.STRUCTURED,
                Nbd.REPLY_FLAG_DONE,
                Nbd.REPLY_TYPE_ERROR_OFFSET,
                -2L,
                1L << 40,
                0xFFFF_FFFEL);
        assertEquals(20, size);
        assertEquals(0x668e33ef, b.getInt(BEFORE));
        assertEquals(1, b.getShort(BEFORE + 4), "flags: DONE");
        assertEquals(0x8002, b.getShort(BEFORE + 6) & 0xFFFF, "type: ERROR_OFFSET");
        assertEquals(-2L, b.getLong(BEFORE + 8), "cookie");
        assertEquals(0xFFFF_FFFE, b.getInt(BEFORE + 16), "32-bit length; no offset field");
        assertGuards(b, 20);
    }

    @Test
    void extendedChunk() {
        ByteBuffer b = guarded();
        int size = NbdReplyHeaders.chunk(
                b.slice(BEFORE, 48),
                NbdHeaderMode.EXTENDED,
                Nbd.REPLY_FLAG_DONE,
                Nbd.REPLY_TYPE_BLOCK_STATUS_EXT,
                0x1111_2222_3333_4444L,
                (5L << 30) + 512,
                1L << 33);
        assertEquals(32, size);
        assertEquals(0x6e8a278c, b.getInt(BEFORE));
        assertEquals(1, b.getShort(BEFORE + 4));
        assertEquals(6, b.getShort(BEFORE + 6), "type: BLOCK_STATUS_EXT");
        assertEquals(0x1111_2222_3333_4444L, b.getLong(BEFORE + 8));
        assertEquals((5L << 30) + 512, b.getLong(BEFORE + 16), "the request's offset");
        assertEquals(1L << 33, b.getLong(BEFORE + 24), "64-bit length");
        assertGuards(b, 32);
    }

    @Test
    void wireValuesAreTheSpecs() {
        assertEquals(0x25609513, Nbd.REQUEST_MAGIC);
        assertEquals(0x21e41c71, Nbd.EXTENDED_REQUEST_MAGIC);
        assertEquals(8, Nbd.OPT_STRUCTURED_REPLY);
        assertEquals(9, Nbd.OPT_LIST_META_CONTEXT);
        assertEquals(10, Nbd.OPT_SET_META_CONTEXT);
        assertEquals(11, Nbd.OPT_EXTENDED_HEADERS);
        assertEquals(4, Nbd.REP_META_CONTEXT);
        assertEquals(0x8000000A, Nbd.REP_ERR_EXT_HEADER_REQD);
        assertEquals(0x80, Nbd.TX_SEND_DF);
        assertEquals(0x400, Nbd.TX_SEND_CACHE);
        assertEquals(0x800, Nbd.TX_SEND_FAST_ZERO);
        assertEquals(5, Nbd.CMD_CACHE);
        assertEquals(7, Nbd.CMD_BLOCK_STATUS);
        assertEquals(0x04, Nbd.CMD_FLAG_DF);
        assertEquals(0x08, Nbd.CMD_FLAG_REQ_ONE);
        assertEquals(0x10, Nbd.CMD_FLAG_FAST_ZERO);
        assertEquals(0x20, Nbd.CMD_FLAG_PAYLOAD_LEN);
        assertEquals(0, Nbd.REPLY_TYPE_NONE);
        assertEquals(1, Nbd.REPLY_TYPE_OFFSET_DATA);
        assertEquals(2, Nbd.REPLY_TYPE_OFFSET_HOLE);
        assertEquals(5, Nbd.REPLY_TYPE_BLOCK_STATUS);
        assertEquals(0x8001, Nbd.REPLY_TYPE_ERROR);
        assertEquals(28, NbdHeaderMode.STRUCTURED.requestHeaderBytes());
        assertEquals(32, NbdHeaderMode.EXTENDED.requestHeaderBytes());
        assertTrue(
                NbdRequest.HEADER_CAPACITY >= NbdReplyHeaders.EXTENDED + 14,
                "room for an extended header and ERROR_OFFSET's 14 fixed bytes");
    }
}
