package dev.rtrs.transport.core.internal.client;

import dev.rtrs.transport.core.internal.conn.Connection;
import dev.rtrs.transport.core.internal.conn.WrIds;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import java.nio.ByteBuffer;

/**
 * One path attempt's fast-registered view of the permits' READ buffers, as the kernel client's {@code req->mr}: a
 * memory region per permit over the part of its buffer that READ data lands in. A READ with data gives its region a
 * fresh key (REG_MR, posted before the request on the same connection), names that key with NEED_INVAL, and
 * completes only once the key is invalidated: by the server's SEND_WITH_INV (IO_RSP_W_INV) or by the client's own
 * LOCAL_INV. The server can then never write into the buffer after the response.
 *
 * <p>The regions are registered without remote access: only a REG_MR grants it, so a key the server guesses before
 * the first READ, or after an invalidation, reaches nothing.
 *
 * <p>Threading: {@link #rekey} runs on the submitting thread (one IO per permit at a time); the per-connection
 * record of SEND_WITH_INV is touched only by that connection's completion handling, which runs one at a time.
 */
final class ReadFence {

    private static final int READ_ACCESS = Access.LOCAL_WRITE | Access.REMOTE_WRITE;
    private static final int NONE = 0;

    private final MemoryRegion[] regions;
    private final SendWorkRequest[] registerWr;
    private final SendWorkRequest[] invalidateWr;
    /** Per connection: the rkey its last SEND_WITH_INV invalidated, not yet matched with an IO_RSP_W_INV. */
    private final int[] peerInvalidated;

    private final boolean[] peerInvalidatedSet;

    private ReadFence(int queueDepth, int connections) {
        regions = new MemoryRegion[queueDepth];
        registerWr = new SendWorkRequest[queueDepth];
        invalidateWr = new SendWorkRequest[queueDepth];
        for (int i = 0; i < queueDepth; i++) {
            registerWr[i] = new SendWorkRequest(0);
            invalidateWr[i] = new SendWorkRequest(0);
        }
        peerInvalidated = new int[connections];
        peerInvalidatedSet = new boolean[connections];
    }

    /**
     * Whether a device can fence READ buffers this way. SEND_WITH_INVALIDATE too: the client's device must carry out
     * the server's invalidation and report its key.
     */
    static boolean supported(DeviceCapabilities caps) {
        return caps.supports(Capability.FAST_REGISTRATION)
                && caps.supports(Capability.LOCAL_INVALIDATE)
                && caps.supports(Capability.SEND_WITH_INVALIDATE);
    }

    /** Registers a region per permit in {@code pd}; on failure none stays registered. */
    static ReadFence register(ProtectionDomain pd, PermitMemory permits, int connections) throws VerbsException {
        ReadFence f = new ReadFence(permits.queueDepth(), connections);
        try {
            for (int i = 0; i < f.regions.length; i++) {
                ByteBuffer area = permits.memory().duplicate();
                int base = i * permits.chunkSize();
                area.limit(base + permits.maxIoSize()).position(base);
                f.regions[i] = pd.register(area, Access.LOCAL_WRITE);
            }
        } catch (VerbsException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    MemoryRegion region(int permit) {
        return regions[permit];
    }

    /**
     * Gives the permit's region a fresh key and returns the REG_MR that makes it valid, to post before the request;
     * null when the region is gone (the attempt is being torn down).
     */
    SendWorkRequest rekey(int permit) {
        MemoryRegion r = regions[permit];
        try {
            r.updateKey();
        } catch (VerbsException e) {
            return null;
        }
        return registerWr[permit]
                .reset(WrIds.of(WrIds.REGISTER, permit), SendOpcode.REG_MR)
                .registration(r, READ_ACCESS);
    }

    /** A SEND_WITH_INV arrived on connection {@code cid}; its IO_RSP_W_INV follows. */
    void peerInvalidated(int cid, int rkey) {
        peerInvalidated[cid] = rkey;
        peerInvalidatedSet[cid] = true;
    }

    /**
     * The response to a fenced READ arrived on {@code c}. Unless the server invalidated exactly this READ's key
     * (IO_RSP_W_INV after a SEND_WITH_INV of that key), posts a LOCAL_INV of it and holds the IO back until that
     * completes, as the kernel client does.
     *
     * @return true when the IO waits for the LOCAL_INV; false when it may complete now (or was already ended)
     */
    boolean holdBack(Connection c, ClientIo io, int errno, boolean withInvalidate) {
        int cid = c.cid();
        boolean recorded = peerInvalidatedSet[cid];
        int invalidated = peerInvalidated[cid];
        peerInvalidatedSet[cid] = false;
        peerInvalidated[cid] = NONE;
        int key = regions[io.id()].rkey();
        if (withInvalidate && recorded && invalidated == key) {
            return false;
        }
        if (!io.startInvalidate(errno)) {
            return false;
        }
        // a failed post means a failed connection: the path is lost and the IO fails over from its hold
        c.post(invalidateWr[io.id()]
                .reset(WrIds.of(WrIds.INVALIDATE, io.id()), SendOpcode.LOCAL_INV)
                .invalidate(key));
        return true;
    }

    /** Deregisters the regions: no key of them is accepted afterwards. After the connections are closed. */
    void close() {
        for (MemoryRegion r : regions) {
            if (r != null) {
                r.close();
            }
        }
    }
}
