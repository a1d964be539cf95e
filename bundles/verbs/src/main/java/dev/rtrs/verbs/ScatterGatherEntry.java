package dev.rtrs.verbs;

/** A local buffer slice: an address range inside a memory region named by its lkey. Mutable, reusable. */
public final class ScatterGatherEntry {

    private long address;
    private int length;
    private int lkey;

    public ScatterGatherEntry set(long address, int length, int lkey) {
        this.address = address;
        this.length = length;
        this.lkey = lkey;
        return this;
    }

    /** Points at {@code length} bytes of {@code mr} from {@code offset}. */
    public ScatterGatherEntry set(MemoryRegion mr, int offset, int length) {
        return set(mr.address() + offset, length, mr.lkey());
    }

    public long address() {
        return address;
    }

    public int length() {
        return length;
    }

    public int lkey() {
        return lkey;
    }

    @Override
    public String toString() {
        return "SGE[0x" + Long.toHexString(address) + "+" + length + ", lkey=0x" + Integer.toHexString(lkey) + "]";
    }
}
