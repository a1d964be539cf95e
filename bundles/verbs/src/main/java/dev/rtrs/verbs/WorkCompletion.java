package dev.rtrs.verbs;

/**
 * One completion, as filled by {@link CompletionQueue#poll}. Mutable and reusable so that polling
 * allocates nothing; read its fields before the next poll into the same object.
 */
public final class WorkCompletion {

    private long wrId;
    private WcStatus status = WcStatus.SUCCESS;
    private WcOpcode opcode = WcOpcode.SEND;
    private int byteLength;
    private boolean withImmediate;
    private int immediateData;
    private boolean withInvalidate;
    private int invalidatedRkey;
    private QueuePair queuePair;

    /** Sets every field at once; for providers. */
    public WorkCompletion set(long wrId, WcStatus status, WcOpcode opcode, int byteLength, QueuePair queuePair) {
        this.wrId = wrId;
        this.status = status;
        this.opcode = opcode;
        this.byteLength = byteLength;
        this.queuePair = queuePair;
        this.withImmediate = false;
        this.immediateData = 0;
        this.withInvalidate = false;
        this.invalidatedRkey = 0;
        return this;
    }

    /** Adds immediate data; for providers. */
    public WorkCompletion immediate(int imm) {
        this.withImmediate = true;
        this.immediateData = imm;
        return this;
    }

    /** Adds the rkey a SEND_WITH_INV invalidated; for providers. */
    public WorkCompletion invalidated(int rkey) {
        this.withInvalidate = true;
        this.invalidatedRkey = rkey;
        return this;
    }

    /** Copies another completion into this one. */
    public WorkCompletion copyFrom(WorkCompletion o) {
        set(o.wrId, o.status, o.opcode, o.byteLength, o.queuePair);
        withImmediate = o.withImmediate;
        immediateData = o.immediateData;
        withInvalidate = o.withInvalidate;
        invalidatedRkey = o.invalidatedRkey;
        return this;
    }

    public long wrId() {
        return wrId;
    }

    public WcStatus status() {
        return status;
    }

    public boolean isSuccess() {
        return status == WcStatus.SUCCESS;
    }

    public WcOpcode opcode() {
        return opcode;
    }

    /** Bytes received (receive completions) or transferred. */
    public int byteLength() {
        return byteLength;
    }

    public boolean hasImmediate() {
        return withImmediate;
    }

    public int immediateData() {
        return immediateData;
    }

    public boolean hasInvalidate() {
        return withInvalidate;
    }

    public int invalidatedRkey() {
        return invalidatedRkey;
    }

    /** The queue pair the work request was posted to. */
    public QueuePair queuePair() {
        return queuePair;
    }

    @Override
    public String toString() {
        return "WC[wrId=" + wrId + ", " + opcode + ", " + status + ", len=" + byteLength
                + (withImmediate ? ", imm=0x" + Integer.toHexString(immediateData) : "")
                + (withInvalidate ? ", inv=0x" + Integer.toHexString(invalidatedRkey) : "") + "]";
    }
}
