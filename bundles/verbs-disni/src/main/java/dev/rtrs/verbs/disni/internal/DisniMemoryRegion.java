package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.SVCDeregMr;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.VerbsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A region registered with {@code ibv_reg_mr}. Its keys never change: DiSNI 2.1 has no fast registration, so a new
 * rkey for the same memory means closing the region and registering the buffer again, and closing is the fence.
 */
final class DisniMemoryRegion implements MemoryRegion {

    private static final Logger LOG = LoggerFactory.getLogger(DisniMemoryRegion.class);

    private final DisniProtectionDomain pd;
    private final ByteBuffer view;
    private final long address;
    private final IbvMr mr;
    private final int access;
    private volatile boolean closed;

    DisniMemoryRegion(DisniProtectionDomain pd, ByteBuffer view, long address, IbvMr mr, int access) {
        this.pd = pd;
        this.view = view;
        this.address = address;
        this.mr = mr;
        this.access = access;
    }

    @Override
    public ProtectionDomain protectionDomain() {
        return pd;
    }

    @Override
    public ByteBuffer buffer() {
        // a fresh view each time: position 0 and limit length whatever earlier callers did with theirs
        return view.duplicate();
    }

    @Override
    public long address() {
        return address;
    }

    @Override
    public int length() {
        return view.capacity();
    }

    @Override
    public int lkey() {
        return mr.getLkey();
    }

    @Override
    public int rkey() {
        return mr.getRkey();
    }

    @Override
    public int access() {
        return access;
    }

    @Override
    public boolean isRemotelyAccessible() {
        // ibv_reg_mr keys cannot be invalidated by LOCAL_INV or SEND_WITH_INV: valid until deregistration
        return !closed;
    }

    @Override
    public int updateKey() throws VerbsException {
        throw new VerbsException(
                Errno.EOPNOTSUPP,
                "DiSNI 2.1 has no fast registration: close the region and"
                        + " register the buffer again for a new rkey");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        SVCDeregMr call = null;
        try {
            call = mr.deregMr();
            call.execute();
        } catch (IOException e) {
            LOG.warn(
                    "Deregistering region 0x{} (rkey 0x{}) failed: {}",
                    Long.toHexString(address),
                    Integer.toHexString(mr.getRkey()),
                    e.getMessage());
        } finally {
            if (call != null) {
                call.free();
            }
        }
    }

    @Override
    public String toString() {
        return "DisniMemoryRegion[0x" + Long.toHexString(address) + "+" + length() + ", rkey=0x"
                + Integer.toHexString(mr.getRkey()) + "]";
    }
}
