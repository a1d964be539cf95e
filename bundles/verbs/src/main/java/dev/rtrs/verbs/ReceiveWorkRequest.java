package dev.rtrs.verbs;

/**
 * A receive-queue work request: where an incoming SEND is placed. An RDMA_WRITE_WITH_IMM consumes a receive
 * too, but places no data through it (a receive with no entries is enough). Mutable and reusable.
 */
public final class ReceiveWorkRequest {

    private long wrId;
    private final ScatterGatherEntry[] sgl;
    private int sgeCount;

    public ReceiveWorkRequest(int maxSge) {
        sgl = new ScatterGatherEntry[maxSge];
        for (int i = 0; i < maxSge; i++) {
            sgl[i] = new ScatterGatherEntry();
        }
    }

    public ReceiveWorkRequest() {
        this(1);
    }

    public ReceiveWorkRequest reset(long wrId) {
        this.wrId = wrId;
        this.sgeCount = 0;
        return this;
    }

    public ReceiveWorkRequest addSge(long address, int length, int lkey) {
        if (sgeCount == sgl.length) {
            throw new IllegalStateException("work request holds at most " + sgl.length + " entries");
        }
        sgl[sgeCount++].set(address, length, lkey);
        return this;
    }

    public ReceiveWorkRequest addSge(MemoryRegion mr, int offset, int length) {
        return addSge(mr.address() + offset, length, mr.lkey());
    }

    public long wrId() {
        return wrId;
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

    public long totalLength() {
        long total = 0;
        for (int i = 0; i < sgeCount; i++) {
            total += sgl[i].length();
        }
        return total;
    }
}
