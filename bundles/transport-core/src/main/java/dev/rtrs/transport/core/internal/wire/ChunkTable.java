package dev.rtrs.transport.core.internal.wire;

import dev.rtrs.errno.Errno;
import java.util.List;

/**
 * Where each server chunk lies, from INFO_RSP: a descriptor may cover several chunks of one memory region (the
 * kernel's server sends one per region, fewer than the queue depth when it does not invalidate), and is split by
 * the chunk size, as the kernel's client does. Checked as the kernel checks: every length a multiple of the chunk
 * size, the total the queue depth's worth, and chunk ids and offsets within the immediate's bits.
 */
public final class ChunkTable {

    private final long[] addresses;
    private final int[] keys;

    private ChunkTable(long[] addresses, int[] keys) {
        this.addresses = addresses;
        this.keys = keys;
    }

    /**
     * @param queueDepth the chunks CON_RSP announced
     * @param chunkSize  max_io_size + max_hdr_size of CON_RSP
     * @throws WireFormatException EINVAL when the descriptors do not describe exactly {@code queueDepth} chunks
     */
    public static ChunkTable of(List<SgDesc> descriptors, int queueDepth, int chunkSize) throws WireFormatException {
        if (chunkSize <= 0 || Integer.bitCount(chunkSize) != 1) {
            throw new WireFormatException(Errno.EINVAL, "chunk size " + chunkSize + " is not a power of two");
        }
        int memBits = Imm.memBits(queueDepth);
        if (memBits <= 0 || chunkSize > 1L << memBits) {
            throw new WireFormatException(
                    Errno.EINVAL,
                    "chunks of " + chunkSize + " bytes do not fit the immediate's " + memBits + " offset bits at queue "
                            + "depth " + queueDepth);
        }
        long total = 0;
        for (SgDesc d : descriptors) {
            if (d.length() <= 0 || d.length() % chunkSize != 0) {
                throw new WireFormatException(
                        Errno.EINVAL,
                        "INFO_RSP descriptor of " + d.length() + " bytes, not a whole number of " + chunkSize
                                + "-byte chunks");
            }
            total += d.length();
        }
        if (total != (long) queueDepth * chunkSize) {
            throw new WireFormatException(
                    Errno.EINVAL,
                    "INFO_RSP describes " + total + " bytes, " + queueDepth + " chunks of " + chunkSize + " expected");
        }
        long[] addresses = new long[queueDepth];
        int[] keys = new int[queueDepth];
        int id = 0;
        for (SgDesc d : descriptors) {
            for (int off = 0; off < d.length(); off += chunkSize) {
                addresses[id] = d.address() + off;
                keys[id] = d.key();
                id++;
            }
        }
        return new ChunkTable(addresses, keys);
    }

    public int size() {
        return addresses.length;
    }

    public long address(int chunk) {
        return addresses[chunk];
    }

    public int key(int chunk) {
        return keys[chunk];
    }

    /** The chunks' addresses by chunk id (a copy the caller owns). */
    public long[] addresses() {
        return addresses.clone();
    }

    /** The chunks' keys by chunk id (a copy the caller owns). */
    public int[] keys() {
        return keys.clone();
    }
}
