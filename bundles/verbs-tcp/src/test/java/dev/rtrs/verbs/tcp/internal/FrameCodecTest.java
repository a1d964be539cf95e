package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.WcStatus;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FrameCodecTest {

    /**
     * A header with every field as given, whether its type allows it or not, written field by field at the documented
     * offsets: what the decoder must accept or refuse, independent of the encoders.
     */
    private static ByteBuffer rawHeader(
            FrameType type, int flags, int psn, int ack, int length, int word, int rkey, long address) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.putShort(0, (short) FrameCodec.MAGIC)
                .put(2, (byte) type.wireValue())
                .put(3, (byte) flags)
                .putInt(4, psn)
                .putInt(8, ack)
                .putInt(12, length)
                .putInt(16, word)
                .putInt(20, rkey)
                .putLong(24, address);
        return b.limit(FrameCodec.HEADER_SIZE);
    }

    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(64);
    }

    private static FrameHeader decode(ByteBuffer b) throws FrameException {
        FrameHeader h = new FrameHeader();
        FrameCodec.decode(b, h);
        return h;
    }

    @Test
    void everyFieldSitsAtItsOffsetBigEndian() {
        ByteBuffer b = buffer();
        FrameCodec.encodeRdmaWriteWithImm(
                b, true, 0x01020304, 0x05060708, 0x090A0B0C, 0x0D0E0F10, 0x11121314, 0x15161718191A1B1CL);
        assertEquals(0, b.position());
        assertEquals(32, b.limit(), "the header is 32 bytes, nothing more");
        byte[] expected = {
            0x52, 0x54, 20, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x11, 0x12, 0x13, 0x14, 0x15,
            0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C
        };
        for (int i = 0; i < 32; i++) {
            assertEquals(expected[i], b.get(i), "byte " + i);
        }
    }

    @Test
    void aWriteRoundTrips() throws Exception {
        ByteBuffer b = buffer();
        FrameCodec.encodeRdmaWrite(b, -5, 77, 1 << 20, 0x1234, 0x7f00_0000_1000L);
        FrameHeader h = decode(b);
        assertEquals(FrameType.WRITE, h.type);
        assertEquals(-5, h.psn);
        assertEquals(77, h.ack);
        assertEquals(1 << 20, h.length);
        assertEquals(0x1234, h.rkey());
        assertEquals(0x7f00_0000_1000L, h.remoteAddress());
    }

    @Test
    void connectionManagementFramesRoundTrip() throws Exception {
        ByteBuffer b = buffer();
        FrameCodec.encodeConnectRequest(b, 99, 56, 7, 128);
        FrameHeader req = decode(b);
        assertEquals(FrameType.CONNECT_REQUEST, req.type);
        assertEquals(99, req.initialPsn());
        assertEquals(56, req.length);
        assertEquals(7, req.queuePairNumber());
        assertEquals(128, req.responderResources());
        FrameCodec.encodeReject(b, 3);
        assertEquals(FrameType.REJECT, decode(b).type);
        FrameCodec.encodeDisconnect(b);
        assertEquals(FrameType.DISCONNECT, decode(b).type);
        FrameCodec.encodeNak(b, 5, NakCode.REMOTE_ACCESS);
        FrameCodec.stampAck(b, 4);
        FrameHeader nak = decode(b);
        assertEquals(NakCode.REMOTE_ACCESS, nak.nakCode());
        FrameCodec.encodeReadRequest(b, 1, 0, Integer.MAX_VALUE, 9, 8);
        assertEquals(Integer.MAX_VALUE, decode(b).readLength());
    }

    /** Each encoder puts its arguments where its frame type has them, and zero in every field the type does not use. */
    @Test
    void eachFrameTypeHasItsEncoder() throws Exception {
        ByteBuffer b = buffer();
        FrameCodec.encodeConnectRequest(b, 11, 56, 12, 65535);
        assertHeader(b, FrameType.CONNECT_REQUEST, 0, 11, 0, 56, 12, FrameCodec.PROTOCOL_VERSION, 65535);
        FrameCodec.encodeAccept(b, -11, 0, 13, 1);
        assertHeader(b, FrameType.ACCEPT, 0, -11, 0, 0, 13, FrameCodec.PROTOCOL_VERSION, 1);
        FrameCodec.encodeReject(b, 56);
        assertHeader(b, FrameType.REJECT, 0, 0, 0, 56, 0, 0, 0);
        FrameCodec.encodeReadyToUse(b);
        assertHeader(b, FrameType.READY_TO_USE, 0, 0, 0, 0, 0, 0, 0);
        FrameCodec.encodeDisconnect(b);
        assertHeader(b, FrameType.DISCONNECT, 0, 0, 0, 0, 0, 0, 0);
        FrameCodec.encodeDisconnectReply(b);
        assertHeader(b, FrameType.DISCONNECT_REPLY, 0, 0, 0, 0, 0, 0, 0);
        FrameCodec.encodeSend(b, true, 21, 22, 23);
        assertHeader(b, FrameType.SEND, FrameCodec.FLAG_SOLICITED, 21, 22, 23, 0, 0, 0);
        FrameCodec.encodeSendWithImm(b, false, 31, 32, 33, 0xCAFE);
        assertHeader(b, FrameType.SEND_WITH_IMM, 0, 31, 32, 33, 0xCAFE, 0, 0);
        assertEquals(0xCAFE, decode(b).immediateData());
        FrameCodec.encodeSendWithInv(b, true, 41, 42, 43, 0x4400);
        assertHeader(b, FrameType.SEND_WITH_INV, FrameCodec.FLAG_SOLICITED, 41, 42, 43, 0x4400, 0, 0);
        assertEquals(0x4400, decode(b).invalidateRkey());
        FrameCodec.encodeRdmaWrite(b, 51, 52, 53, 0x5400, 1L << 40);
        assertHeader(b, FrameType.WRITE, 0, 51, 52, 53, 0, 0x5400, 1L << 40);
        FrameCodec.encodeRdmaWriteWithImm(b, true, 61, 62, 63, 0xBEEF, 0x6400, 65);
        assertHeader(b, FrameType.WRITE_WITH_IMM, FrameCodec.FLAG_SOLICITED, 61, 62, 63, 0xBEEF, 0x6400, 65);
        FrameCodec.encodeReadRequest(b, 71, 72, 73, 0x7400, 75);
        assertHeader(b, FrameType.READ_REQUEST, 0, 71, 72, 0, 73, 0x7400, 75);
        FrameCodec.encodeReadResponse(b, 81, 83);
        assertHeader(b, FrameType.READ_RESPONSE, 0, 81, 0, 83, 0, 0, 0);
        FrameCodec.encodeAck(b, 92);
        assertHeader(b, FrameType.ACK, 0, 0, 92, 0, 0, 0, 0);
        FrameCodec.encodeNak(b, 101, NakCode.RECEIVER_NOT_READY);
        assertHeader(b, FrameType.NAK, 0, 101, 0, 0, NakCode.RECEIVER_NOT_READY.wireValue(), 0, 0);
        assertEquals(NakCode.RECEIVER_NOT_READY, decode(b).nakCode());
    }

    /** The header in {@code b} is exactly {@link #rawHeader} of the same fields, and the decoder accepts it. */
    private static void assertHeader(
            ByteBuffer b, FrameType type, int flags, int psn, int ack, int length, int word, int rkey, long address)
            throws FrameException {
        assertEquals(0, b.position());
        assertEquals(FrameCodec.HEADER_SIZE, b.limit());
        assertEquals(rawHeader(type, flags, psn, ack, length, word, rkey, address), b, type.name());
        assertEquals(type, decode(b).type);
    }

    @Test
    void aBadMagicIsRejected() {
        ByteBuffer b = rawHeader(FrameType.ACK, 0, 0, 1, 0, 0, 0, 0);
        b.put(0, (byte) 0x53);
        assertTrue(
                assertThrows(FrameException.class, () -> decode(b)).getMessage().contains("magic"));
    }

    @Test
    void unknownTypesAreRejected() {
        for (int wire : new int[] {0, 7, 15, 25, 99, 255}) {
            ByteBuffer b = rawHeader(FrameType.ACK, 0, 0, 1, 0, 0, 0, 0);
            b.put(2, (byte) wire);
            assertThrows(FrameException.class, () -> decode(b), "type " + wire);
        }
    }

    @Test
    void fieldsAFrameDoesNotUseMustBeZero() {
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.SEND, 0, 1, 0, 4, 0, 5, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.SEND, 0, 1, 0, 4, 0, 0, 8)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.ACK, 0, 1, 0, 0, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.READ_RESPONSE, 0, 1, 0, 4, 3, 0, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.READY_TO_USE, 0, 0, 0, 1, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.REJECT, 0, 1, 0, 0, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.WRITE, 0, 1, 0, 4, 9, 1, 0)));
    }

    @Test
    void unknownFlagsAreRejected() {
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.SEND, 2, 1, 0, 4, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.WRITE, 1, 1, 0, 4, 0, 1, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.DISCONNECT, 1, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void lengthsAreBounded() {
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.SEND, 0, 1, 0, 0x8000_0000, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.CONNECT_REQUEST, 0, 1, 0, 57, 1, 1, 1)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.ACCEPT, 0, 1, 0, 57, 1, 1, 1)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.REJECT, 0, 0, 0, 57, 0, 0, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.READ_REQUEST, 0, 1, 0, 4, 4, 1, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.READ_REQUEST, 0, 1, 0, 0, -1, 1, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.NAK, 0, 1, 0, 0, 9, 0, 0)));
    }

    @Test
    void theHandshakeChecksVersionAndResponderResources() {
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.CONNECT_REQUEST, 0, 1, 0, 0, 1, 2, 16)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.CONNECT_REQUEST, 0, 1, 0, 0, 1, 1, 0)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.ACCEPT, 0, 1, 0, 0, 1, 1, 65536)));
        assertThrows(FrameException.class, () -> decode(rawHeader(FrameType.ACCEPT, 0, 1, 7, 0, 1, 1, 16)));
    }

    @Test
    void aRejectedHeaderLeavesTheTargetUntouched() {
        FrameHeader h = new FrameHeader();
        assertThrows(FrameException.class, () -> FrameCodec.decode(rawHeader(FrameType.SEND, 0, 1, 0, 4, 0, 5, 0), h));
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
