package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A mapped RNBD device: a {@link BlockDevice} whose operations become RNBD IO messages on the session. Large
 * operations are split at the server's largest IO; the pieces run in parallel and the first error wins.
 */
public final class MappedDevice implements BlockDevice {

    final String name;
    final String devicePath;
    final AccessMode mode;
    private final SessionHandle session;
    private final long ioTimeoutNanos;
    private volatile int deviceId;
    private volatile RnbdOpenRsp geometry;
    private volatile boolean closed;
    private volatile ByteBuffer zeroes;
    private final DeviceIoStatistics statistics = new DeviceIoStatistics();

    MappedDevice(String name, String devicePath, AccessMode mode, SessionHandle session, long ioTimeoutMs) {
        this.name = name;
        this.devicePath = devicePath;
        this.mode = mode;
        this.session = session;
        this.ioTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(ioTimeoutMs);
    }

    /** Takes the server's answer to OPEN (first map, and every remap). */
    void opened(RnbdOpenRsp rsp) {
        this.geometry = rsp;
        this.deviceId = rsp.deviceId();
    }

    int deviceId() {
        return deviceId;
    }

    SessionHandle session() {
        return session;
    }

    /** The server's name of the device. */
    public String devicePath() {
        return devicePath;
    }

    public String sessionName() {
        return session.name;
    }

    public AccessMode accessMode() {
        return mode;
    }

    /** False while the session's link is down or being remapped. */
    public boolean isConnected() {
        return session.isReady();
    }

    RnbdOpenRsp geometry() {
        return geometry;
    }

    void markClosed() {
        closed = true;
    }

    /** After unmap: every operation fails with EIO. */
    public boolean isClosed() {
        return closed;
    }

    // ---- geometry ----

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return geometry.sizeBytes();
    }

    @Override
    public int logicalBlockSize() {
        return geometry.logicalBlockSize();
    }

    @Override
    public int physicalBlockSize() {
        return geometry.physicalBlockSize();
    }

    @Override
    public boolean isReadOnly() {
        return mode == AccessMode.RO;
    }

    @Override
    public boolean hasWriteCache() {
        return geometry.writeback();
    }

    @Override
    public boolean supportsFua() {
        return geometry.fua();
    }

    @Override
    public boolean supportsDiscard() {
        return geometry.maxDiscardSectors() > 0;
    }

    @Override
    public boolean supportsWriteZeroes() {
        // only a server that zeroes by itself makes it cheap; otherwise writeZeroes sends written zeroes
        return geometry.maxWriteZeroesSectors() > 0;
    }

    /** Largest piece of one request: the session's and the device's limits, in whole blocks. */
    private int maxPiece() {
        long hw = geometry.maxHwSectors() * RnbdCodec.SECTOR_SIZE;
        long max = Math.min(session.maxIoSize(), hw == 0 ? Long.MAX_VALUE : hw);
        return (int) (max - max % logicalBlockSize());
    }

    // ---- operations ----

    private int check(long offset, long length, boolean write) {
        if (closed) {
            return Errno.EIO;
        }
        if (write && isReadOnly()) {
            return Errno.EROFS;
        }
        int block = logicalBlockSize();
        if (offset < 0 || length < 0 || offset % block != 0 || length % block != 0 || offset + length > size()) {
            return Errno.EINVAL;
        }
        return 0;
    }

    @Override
    public void read(long offset, ByteBuffer dst, BlockCompletion done) {
        int e = check(offset, dst.remaining(), false);
        if (e != 0) {
            done.complete(e);
            return;
        }
        submit(IoOperation.READ, 0, offset, dst.remaining(), maxPiece(), dst, done);
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags, BlockCompletion done) {
        int e = (flags & ~FUA) != 0 ? Errno.EINVAL : check(offset, src.remaining(), true);
        if (e != 0) {
            done.complete(e);
            return;
        }
        int rnbdFlags = (flags & FUA) != 0 ? IoOperation.FLAG_FUA : 0;
        submit(IoOperation.WRITE, rnbdFlags, offset, src.remaining(), maxPiece(), src, done);
    }

    @Override
    public void flush(BlockCompletion done) {
        if (closed) {
            done.complete(Errno.EIO);
            return;
        }
        session.submit(session.idleTask(null)
                .startRequest(this, IoOperation.FLUSH, 0, 1, done)
                .range(0, 0));
    }

    @Override
    public void discard(long offset, long length, BlockCompletion done) {
        int e = supportsDiscard() ? check(offset, length, true) : Errno.EOPNOTSUPP;
        if (e != 0) {
            done.complete(e);
            return;
        }
        long step = Math.min(geometry.maxDiscardSectors() * RnbdCodec.SECTOR_SIZE, maxPiece());
        submit(IoOperation.DISCARD, 0, offset, length, step, null, done);
    }

    @Override
    public void writeZeroes(long offset, long length, BlockCompletion done) {
        int e = check(offset, length, true);
        if (e != 0) {
            done.complete(e);
            return;
        }
        long zeroesMax = geometry.maxWriteZeroesSectors() * RnbdCodec.SECTOR_SIZE;
        if (zeroesMax > 0) {
            // the server zeroes by itself (RNBD's WRITE_ZEROES, as the kernel's client sends it): no data travels
            long step = zeroesMax - zeroesMax % logicalBlockSize();
            submit(IoOperation.WRITE_ZEROES, 0, offset, length, step, null, done);
            return;
        }
        int step = maxPiece();
        ByteBuffer zero = zeroes;
        if (zero == null || zero.capacity() < step) {
            zero = ByteBuffer.allocate(step).asReadOnlyBuffer();
            zeroes = zero;
        }
        submit(IoOperation.WRITE, 0, offset, length, step, zero, done);
    }

    /**
     * Sends a request as pieces of at most {@code step} bytes, in parallel; its completion comes when all did, with
     * the first error. The pieces' data, if any, are {@code data}'s bytes from its position; a buffer shorter than
     * the request (the zeroes of an emulated WRITE_ZEROES) is sent again from its position by every piece.
     */
    private void submit(
            IoOperation op, int flags, long offset, long length, long step, ByteBuffer data, BlockCompletion done) {
        if (length == 0) {
            done.complete(0);
            return;
        }
        int count = (int) ((length + step - 1) / step);
        // a request of one piece of all of the buffer sends the buffer itself; the others send views of it
        ByteBuffer viewed = data != null && (count > 1 || data.remaining() != length) ? data : null;
        boolean repeat = data != null && data.remaining() < length;
        IoTask first = null;
        for (long at = offset; at < offset + length; at += step) {
            long len = Math.min(step, offset + length - at);
            IoTask t = session.idleTask(viewed);
            if (first == null) {
                first = t.startRequest(this, op, flags, count, done);
            } else {
                t.joinRequest(first);
            }
            if (data == null) {
                t.range(at, len);
            } else {
                t.range(at, len, data, data.position() + (repeat ? 0 : (int) (at - offset)));
            }
            session.submit(t);
        }
    }

    /** How long an IO may wait for a broken link to come back before it fails. */
    long ioTimeoutNanos() {
        return ioTimeoutNanos;
    }

    /** Counts an RNBD IO of this device that completed; called by its {@link IoTask}, on any thread. */
    void completed(IoOperation op, int errno, long latencyNanos) {
        statistics.record(op, errno, latencyNanos);
    }

    /** The device's IO counts and latencies since it was mapped. */
    public DeviceStatistics statistics() {
        return statistics.snapshot();
    }

    /** Does nothing: unmapping is the operator's decision, through {@link RnbdClient#unmap}. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "mapped device " + name + " (" + devicePath + ", " + mode + ", session " + session.name + ")";
    }
}
