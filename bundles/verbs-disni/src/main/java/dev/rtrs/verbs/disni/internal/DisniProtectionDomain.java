package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.IbvPd;
import com.ibm.disni.verbs.SVCRegMr;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A protection domain on a DiSNI device. */
final class DisniProtectionDomain implements ProtectionDomain {

    private static final Logger LOG = LoggerFactory.getLogger(DisniProtectionDomain.class);

    private final DisniDevice device;
    private final IbvPd pd;
    private volatile boolean closed;

    DisniProtectionDomain(DisniDevice device, IbvPd pd) {
        this.device = device;
        this.pd = pd;
    }

    @Override
    public RdmaDevice device() {
        return device;
    }

    DisniDevice disniDevice() {
        return device;
    }

    IbvPd nativePd() {
        return pd;
    }

    @Override
    public MemoryRegion register(ByteBuffer buffer, int access) throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.EBADF, "protection domain closed");
        }
        if (!buffer.isDirect()) {
            throw new VerbsException(Errno.EINVAL, "only direct buffers can be registered");
        }
        if ((access & ~Access.ALL) != 0) {
            throw new VerbsException(Errno.EINVAL, "unknown access flags 0x" + Integer.toHexString(access));
        }
        int length = buffer.remaining();
        if (length > device.capabilities().maxMemoryRegionSize()) {
            throw new VerbsException(
                    Errno.EINVAL,
                    length + " bytes exceed the device's largest region of "
                            + device.capabilities().maxMemoryRegionSize());
        }
        ByteBuffer view = buffer.slice();
        long address = DirectBuffers.address(view);
        // ibverbs refuses remote write without local write; the region still reports the flags asked for
        int nativeAccess = Access.allows(access, Access.REMOTE_WRITE) ? access | Access.LOCAL_WRITE : access;
        SVCRegMr call = null;
        try {
            call = pd.regMr(address, length, nativeAccess);
            IbvMr mr = call.execute().getMr();
            if (mr == null) {
                throw new VerbsException(Errno.ENOMEM, "ibv_reg_mr failed for " + length + " bytes");
            }
            return new DisniMemoryRegion(this, view, address, mr, access);
        } catch (IOException e) {
            throw Errnos.wrap("register " + length + " bytes", e, Errno.ENOMEM);
        } finally {
            if (call != null) {
                call.free();
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            pd.deallocPd();
        } catch (Exception e) {
            // DiSNI declares Exception; EBUSY means regions or queue pairs are still open
            LOG.warn("Deallocating the protection domain on {} failed: {}", device.name(), e.getMessage());
        }
    }
}
