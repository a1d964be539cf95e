package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.rtrs.verbs.WcStatus;

class FrameCodecTest {

    private static ByteBuffer encoded(FrameType type, int flags, int psn, int ack, int length, int word, int rkey,
            long address) {
        ByteBuffer b = ByteBuffer.allocate(64);
        FrameCodec.encode(b, type, flags, psn, ack, length, word, rkey, address);
        return b;
    }

    private static FrameHeader decode(ByteBuffer b) throws FrameException {
        FrameHeader h = new FrameHeader();
        FrameCodec.decode(b, h);
        return h;
    }

    @Test
    void everyFieldSitsAtItsOffsetBigEndian() {
        ByteBuffer b = encoded(FrameType.WRITE_WITH_IMM, 1, 0x01020304, 0x05060708, 0x090A0B0C, 0x0D0E0F10,
                0x11121314, 0x15161718191A1B1CL);
        assertEquals(0, b.position());
        assertEquals(32, b.limit(), "the header is 32 bytes, nothing more");
        byte[] expected = {0x52, 0x54, 20, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x11, 0x12, 0x13,
            0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C};
        for (int i = 0; i < 32; i++) {
            assertEquals(expected[i], b.get(i), "byte " + i);
        }
    }

    @Test
    void aWriteRoundTrips() throws Exception {
        FrameHeader h = decode(encoded(FrameType.WRITE, 0, -5, 77, 1 << 20, 0, 0x1234, 0x7f00_0000_1000L));
        assertEquals(FrameType.WRITE, h.type);
        assertEquals(-5, h.psn);
        assertEquals(77, h.ack);
        assertEquals(1 << 20, h.length);
        assertEquals(0x1234, h.rkey);
        assertEquals(0x7f00_0000_1000L, h.address);
    }

    @Test
    void connectionManagementFramesRoundTrip() throws Exception {
        FrameHeader req = decode(encoded(FrameType.CONNECT_REQUEST, 0, 99, 0, 56, 7, 1, 128));
        assertEquals(FrameType.CONNECT_REQUEST, req.type);
        assertEquals(99, req.psn);
        assertEquals(56, req.length);
        assertEquals(7, req.word);
        assertEquals(128, req.address);
        assertEquals(FrameType.REJECT, decode(encoded(FrameType.REJECT, 0, 0, 0, 3, 0, 0, 0)).type);
        assertEquals(FrameType.DISCONNECT, decode(encoded(FrameType.DISCONNECT, 0, 0, 0, 0, 0, 0, 0)).type);
        FrameHeader nak = decode(encoded(FrameType.NAK, 0, 5, 4, 0, NakCode.REMOTE_ACCESS.wireValue(), 0, 0));
        assertEquals(NakCode.REMOTE_ACCESS, NakCode.fromWire(nak.word));
        assertEquals(Integer.MAX_VALUE, decode(encoded(FrameType.READ_REQUEST, 0, 1, 0, 0, Integer.MAX_VALUE, 9, 8)).word);
    }

    @Test
    void aBadMagicIsRejected() {
        ByteBuffer b = encoded(FrameType.ACK, 0, 0, 1, 0, 0, 0, 0);
        b.put(0, (byte) 0x53);
        assertTrue(assertThrows(FrameException.class, () -> decode(b)).getMessage().contains("magic"));
    }

    @Test
    void unknownTypesAreRejected() {
        for (int wire : new int[] {0, 7, 15, 25, 99, 255}) {
            ByteBuffer b = encoded(FrameType.ACK, 0, 0, 1, 0, 0, 0, 0);
            b.put(2, (byte) wire);
            assertThrows(FrameException.class, () -> decode(b), "type " + wire);
        }
    }

    @Test
    void fieldsAFrameDoesNotUseMustBeZero() {
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.SEND, 0, 1, 0, 4, 0, 5, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.SEND, 0, 1, 0, 4, 0, 0, 8)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.ACK, 0, 1, 0, 0, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.READ_RESPONSE, 0, 1, 0, 4, 3, 0, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.READY_TO_USE, 0, 0, 0, 1, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.REJECT, 0, 1, 0, 0, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.WRITE, 0, 1, 0, 4, 9, 1, 0)));
    }

    @Test
    void unknownFlagsAreRejected() {
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.SEND, 2, 1, 0, 4, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.WRITE, 1, 1, 0, 4, 0, 1, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.DISCONNECT, 1, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void lengthsAreBounded() {
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.SEND, 0, 1, 0, 0x8000_0000, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.CONNECT_REQUEST, 0, 1, 0, 57, 1, 1, 1)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.ACCEPT, 0, 1, 0, 57, 1, 1, 1)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.REJECT, 0, 0, 0, 57, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.READ_REQUEST, 0, 1, 0, 4, 4, 1, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.READ_REQUEST, 0, 1, 0, 0, -1, 1, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.NAK, 0, 1, 0, 0, 9, 0, 0)));
    }

    @Test
    void theHandshakeChecksVersionAndResponderResources() {
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.CONNECT_REQUEST, 0, 1, 0, 0, 1, 2, 16)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.CONNECT_REQUEST, 0, 1, 0, 0, 1, 1, 0)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.ACCEPT, 0, 1, 0, 0, 1, 1, 65536)));
        assertThrows(FrameException.class, () -> decode(encoded(FrameType.ACCEPT, 0, 1, 7, 0, 1, 1, 16)));
    }

    @Test
    void aRejectedHeaderLeavesTheTargetUntouched() {
        FrameHeader h = new FrameHeader();
        assertThrows(FrameException.class, () -> FrameCodec.decode(encoded(FrameType.SEND, 0, 1, 0, 4, 0, 5, 0), h));
        assertNull(h.type);
    }

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void frameTypesOwnTheirWireValues(FrameType t) {
        assertEquals(t, FrameType.fromWire(t.wireValue()));
        assertEquals(t.wireValue() < 16, t.isConnectionManagement());
    }

    @Test
    void nakCodesMapToCompletionStatuses() {
        assertEquals(WcStatus.RNR_RETRY_EXCEEDED_ERROR, NakCode.RECEIVER_NOT_READY.status());
        assertEquals(WcStatus.REMOTE_ACCESS_ERROR, NakCode.REMOTE_ACCESS.status());
        assertEquals(WcStatus.REMOTE_INVALID_REQUEST_ERROR, NakCode.INVALID_REQUEST.status());
        assertEquals(WcStatus.REMOTE_OPERATION_ERROR, NakCode.REMOTE_OPERATION.status());
        for (NakCode c : NakCode.values()) {
            assertEquals(c, NakCode.fromWire(c.wireValue()));
        }
        assertNull(NakCode.fromWire(0));
        assertNull(FrameType.fromWire(-1));
    }

    @Test
    void sequenceNumbersCompareAcrossTheWrap() {
        assertTrue(Psn.before(Integer.MAX_VALUE, Integer.MIN_VALUE));
        assertTrue(Psn.after(Integer.MIN_VALUE, Integer.MAX_VALUE));
        assertTrue(Psn.before(-1, 0));
        assertFalse(Psn.after(5, 5));
        assertEquals(2, Psn.distance(-1, 1));
    }
}
