package dev.rtrs.verbs.tcp.internal;

/**
 * A decoded frame header. Mutable and reused by each connection's reader so that decoding allocates nothing;
 * {@link FrameCodec#decode} fills it only with values it has validated.
 */
final class FrameHeader {

    FrameType type;
    int flags;
    /** Request PSN; the initial PSN in CONNECT_REQUEST and ACCEPT; the refused request in NAK. */
    int psn;
    /** Cumulative acknowledgement: the last request of the peer's requester this side executed. */
    int ack;
    /** Payload bytes that follow the header. */
    int length;
    /** Immediate data, rkey to invalidate, READ length, NAK code or queue pair number, by type. */
    int word;
    /** The responder's rkey (WRITE, READ_REQUEST); the protocol version in CONNECT_REQUEST and ACCEPT. */
    int rkey;
    /** The responder's address (WRITE, READ_REQUEST); responder resources in CONNECT_REQUEST and ACCEPT. */
    long address;

    @Override
    public String toString() {
        return type + "[psn=" + Integer.toUnsignedString(psn) + ", ack=" + Integer.toUnsignedString(ack)
                + ", length=" + length + ", word=0x" + Integer.toHexString(word) + ", rkey=0x"
                + Integer.toHexString(rkey) + ", address=0x" + Long.toHexString(address) + "]";
    }
}
