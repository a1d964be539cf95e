package dev.rtrs.verbs.tcp.internal;

/**
 * A decoded frame header. Mutable and reused by each socket's reader so that decoding allocates nothing;
 * {@link FrameCodec#decode} fills it only with values it has validated.
 *
 * <p>Three header fields mean different things per frame type; they are read through the accessor named for what
 * they are in the frame at hand.
 */
final class FrameHeader {

    FrameType type;
    int flags;
    /** Request PSN: of the request itself, of the READ a READ response answers, of the request a NAK refuses. */
    int psn;
    /** Cumulative acknowledgement: the last request of the peer's requester this side executed. */
    int ack;
    /** Payload bytes that follow the header. */
    int length;
    // the type-dependent fields, as on the wire (see FrameCodec)
    private int word;
    private int key;
    private long address;

    /** The decoder sets the type-dependent fields, validated for {@link #type}. */
    void typeFields(int wireWord, int wireRkey, long wireAddress) {
        word = wireWord;
        key = wireRkey;
        address = wireAddress;
    }

    /** CONNECT_REQUEST, ACCEPT: the sender's first request PSN. */
    int initialPsn() {
        return psn;
    }

    /** CONNECT_REQUEST, ACCEPT: the sender's queue pair number. */
    int queuePairNumber() {
        return word;
    }

    /** CONNECT_REQUEST, ACCEPT: READ requests the sender executes at once (1 to 65535). */
    int responderResources() {
        return (int) address;
    }

    /** SEND_WITH_IMM, WRITE_WITH_IMM. */
    int immediateData() {
        return word;
    }

    /** SEND_WITH_INV: the key the responder invalidates. */
    int invalidateRkey() {
        return word;
    }

    /** WRITE, WRITE_WITH_IMM, READ_REQUEST: the key of the responder's target region. */
    int rkey() {
        return key;
    }

    /** WRITE, WRITE_WITH_IMM, READ_REQUEST: the target's address in the responder's region. */
    long remoteAddress() {
        return address;
    }

    /** READ_REQUEST: the bytes to read (a READ request itself carries no payload). */
    int readLength() {
        return word;
    }

    /** NAK: why the request {@link #psn} was refused. */
    NakCode nakCode() {
        return NakCode.fromWire(word);
    }

    @Override
    public String toString() {
        return type + "[psn=" + Integer.toUnsignedString(psn) + ", ack=" + Integer.toUnsignedString(ack)
                + ", length=" + length + ", word=0x" + Integer.toHexString(word) + ", rkey=0x"
                + Integer.toHexString(key) + ", address=0x" + Long.toHexString(address) + "]";
    }
}
