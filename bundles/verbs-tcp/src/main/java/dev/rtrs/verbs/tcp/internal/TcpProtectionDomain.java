package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/** A protection domain: regions and queue pairs are only used together when they share one. */
final class TcpProtectionDomain implements ProtectionDomain {

    private final TcpDevice device;
    private final AtomicInteger regions = new AtomicInteger();
    private volatile boolean closed;

    TcpProtectionDomain(TcpDevice device) {
        this.device = device;
    }

    @Override
    public RdmaDevice device() {
        return device;
    }

    TcpDevice tcpDevice() {
        return device;
    }

    /** Any thread; non-blocking. */
    @Override
    public MemoryRegion register(ByteBuffer buffer, int access) throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.EBADF, "protection domain is closed");
        }
        validateAccess(access);
        if (buffer == null || !buffer.isDirect()) {
            throw new VerbsException(Errno.EINVAL, "only direct buffers can be registered");
        }
        if (buffer.remaining() > device.capabilities().maxMemoryRegionSize()) {
            throw new VerbsException(
                    Errno.EINVAL, "region of " + buffer.remaining() + " bytes above the device's limit");
        }
        TcpMemoryRegion region = device.memoryTable().register(this, buffer.slice(), access);
        regions.incrementAndGet();
        return region;
    }

    /** Access flags as ibverbs accepts them: known flags only, and remote write only with local write. */
    static void validateAccess(int access) throws VerbsException {
        if ((access & ~Access.ALL) != 0) {
            throw new VerbsException(Errno.EINVAL, "unknown access flags 0x" + Integer.toHexString(access));
        }
        if ((access & Access.REMOTE_WRITE) != 0 && (access & Access.LOCAL_WRITE) == 0) {
            throw new VerbsException(Errno.EINVAL, "REMOTE_WRITE requires LOCAL_WRITE");
        }
    }

    void regionClosed() {
        regions.decrementAndGet();
    }

    /** @throws IllegalStateException (EBUSY) while regions of this domain are registered */
    @Override
    public void close() {
        int live = regions.get();
        if (live > 0) {
            throw new IllegalStateException(Errno.name(Errno.EBUSY) + ": " + live + " memory regions still registered");
        }
        closed = true;
    }
}
