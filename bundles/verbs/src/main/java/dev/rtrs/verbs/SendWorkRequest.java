package dev.rtrs.verbs;

/**
 * A send-queue work request. Mutable and reusable: the provider reads it during
 * {@link QueuePair#postSend}, so it may be changed as soon as that returns (the memory it names may not,
 * until the completion). Set the fields the opcode needs:
 * <ul>
 * <li>SEND, SEND_WITH_IMM, SEND_WITH_INV: scatter/gather list; immediate data or the rkey to invalidate</li>
 * <li>RDMA_WRITE, RDMA_WRITE_WITH_IMM: scatter/gather list (the source), remote address and rkey; immediate data</li>
 * <li>RDMA_READ: scatter/gather list (the destination), remote address and rkey</li>
 * <li>LOCAL_INV: the rkey to invalidate, set with {@link #invalidate(int)}</li>
 * <li>REG_MR: the memory region and its new access flags; the key registered is the region's
 * {@link MemoryRegion#rkey()} when {@link QueuePair#postSend} is called</li>
 * </ul>
 */
public final class SendWorkRequest {

    /** Ask for a completion on success (errors always complete). */
    public static final int SIGNALED = 1;
    /** Mark a SEND so that a solicited-only notification at the peer fires. */
    public static final int SOLICITED = 1 << 1;
    /** Wait for earlier RDMA READs of this queue to complete before running. */
    public static final int FENCE = 1 << 2;

    private long wrId;
    private SendOpcode opcode = SendOpcode.SEND;
    private int flags = SIGNALED;
    private final ScatterGatherEntry[] sgl;
    private int sgeCount;
    private long remoteAddress;
    private int rkey;
    private int immediateData;
    private int invalidateRkey;
    private MemoryRegion memoryRegion;
    private int access;

    /** A request with room for {@code maxSge} scatter/gather entries. */
    public SendWorkRequest(int maxSge) {
        sgl = new ScatterGatherEntry[maxSge];
        for (int i = 0; i < maxSge; i++) {
            sgl[i] = new ScatterGatherEntry();
        }
    }

    public SendWorkRequest() {
        this(1);
    }

    /** Clears the operation fields (keeps the allocated entries), flags back to SIGNALED. */
    public SendWorkRequest reset(long wrId, SendOpcode opcode) {
        this.wrId = wrId;
        this.opcode = opcode;
        this.flags = SIGNALED;
        this.sgeCount = 0;
        this.remoteAddress = 0;
        this.rkey = 0;
        this.immediateData = 0;
        this.invalidateRkey = 0;
        this.memoryRegion = null;
        this.access = 0;
        return this;
    }

    public SendWorkRequest flags(int flags) {
        this.flags = flags;
        return this;
    }

    /** Appends a scatter/gather entry. */
    public SendWorkRequest addSge(long address, int length, int lkey) {
        if (sgeCount == sgl.length) {
            throw new IllegalStateException("work request holds at most " + sgl.length + " entries");
        }
        sgl[sgeCount++].set(address, length, lkey);
        return this;
    }

    /** Appends {@code length} bytes of {@code mr} from {@code offset}. */
    public SendWorkRequest addSge(MemoryRegion mr, int offset, int length) {
        return addSge(mr.address() + offset, length, mr.lkey());
    }

    public SendWorkRequest remote(long remoteAddress, int rkey) {
        this.remoteAddress = remoteAddress;
        this.rkey = rkey;
        return this;
    }

    public SendWorkRequest immediate(int imm) {
        this.immediateData = imm;
        return this;
    }

    public SendWorkRequest invalidate(int rkeyToInvalidate) {
        this.invalidateRkey = rkeyToInvalidate;
        return this;
    }

    public SendWorkRequest registration(MemoryRegion mr, int accessFlags) {
        this.memoryRegion = mr;
        this.access = accessFlags;
        return this;
    }

    public long wrId() {
        return wrId;
    }

    public SendOpcode opcode() {
        return opcode;
    }

    public int flags() {
        return flags;
    }

    public boolean isSignaled() {
        return (flags & SIGNALED) != 0;
    }

    public int sgeCount() {
        return sgeCount;
    }

    public ScatterGatherEntry sge(int index) {
        if (index >= sgeCount) {
            throw new IndexOutOfBoundsException(index);
        }
        return sgl[index];
    }

    /** Sum of the scatter/gather entries' lengths. */
    public long totalLength() {
        long total = 0;
        for (int i = 0; i < sgeCount; i++) {
            total += sgl[i].length();
        }
        return total;
    }

    public long remoteAddress() {
        return remoteAddress;
    }

    public int rkey() {
        return rkey;
    }

    public int immediateData() {
        return immediateData;
    }

    public int invalidateRkey() {
        return invalidateRkey;
    }

    public MemoryRegion memoryRegion() {
        return memoryRegion;
    }

    public int access() {
        return access;
    }

    @Override
    public String toString() {
        return "SendWR[wrId=" + wrId + ", " + opcode + ", sges=" + sgeCount + ", len=" + totalLength() + "]";
    }
}
