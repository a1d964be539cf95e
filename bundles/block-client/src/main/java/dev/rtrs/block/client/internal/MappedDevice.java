package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdIo;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
        return true;
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
        pieces(IoOperation.READ, 0, offset, dst, dst.remaining(), done);
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags, BlockCompletion done) {
        int e = (flags & ~FUA) != 0 ? Errno.EINVAL : check(offset, src.remaining(), true);
        if (e != 0) {
            done.complete(e);
            return;
        }
        int rnbdFlags = (flags & FUA) != 0 ? IoOperation.FLAG_FUA : 0;
        pieces(IoOperation.WRITE, rnbdFlags, offset, src, src.remaining(), done);
    }

    @Override
    public void flush(BlockCompletion done) {
        if (closed) {
            done.complete(Errno.EIO);
            return;
        }
        submit(IoOperation.FLUSH, 0, 0, 0, new ByteBuffer[0], done::complete);
    }

    @Override
    public void discard(long offset, long length, BlockCompletion done) {
        int e = supportsDiscard() ? check(offset, length, true) : Errno.EOPNOTSUPP;
        if (e != 0) {
            done.complete(e);
            return;
        }
        long step = Math.min(geometry.maxDiscardSectors() * RnbdCodec.SECTOR_SIZE, maxPiece());
        split(
                offset,
                length,
                step,
                done,
                (at, len, d) -> submit(IoOperation.DISCARD, 0, at, len, new ByteBuffer[0], d));
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
            split(
                    offset,
                    length,
                    step,
                    done,
                    (at, len, d) -> submit(IoOperation.WRITE_ZEROES, 0, at, len, new ByteBuffer[0], d));
            return;
        }
        int step = maxPiece();
        ByteBuffer zero = zeroes;
        if (zero == null || zero.capacity() < step) {
            zero = ByteBuffer.allocate(step).asReadOnlyBuffer();
            zeroes = zero;
        }
        ByteBuffer z = zero;
        split(
                offset,
                length,
                step,
                done,
                (at, len, d) -> submit(
                        IoOperation.WRITE,
                        0,
                        at,
                        len,
                        new ByteBuffer[] {z.duplicate().position(0).limit((int) len)},
                        d));
    }

    /** One piece of work of a split operation. */
    @FunctionalInterface
    private interface Piece {
        void run(long offset, long length, IoTask.Done done);
    }

    private void pieces(IoOperation op, int flags, long offset, ByteBuffer buffer, int length, BlockCompletion done) {
        int step = maxPiece();
        int base = buffer.position();
        split(offset, length, step, done, (at, len, d) -> {
            int from = base + (int) (at - offset);
            ByteBuffer slice =
                    buffer.duplicate().limit(from + (int) len).position(from).slice();
            submit(op, flags, at, len, new ByteBuffer[] {slice}, d);
        });
    }

    private static void split(long offset, long length, long step, BlockCompletion done, Piece piece) {
        if (length == 0) {
            done.complete(0);
            return;
        }
        int count = (int) ((length + step - 1) / step);
        AtomicInteger remaining = new AtomicInteger(count);
        AtomicInteger firstError = new AtomicInteger();
        IoTask.Done each = errno -> {
            if (errno != 0) {
                firstError.compareAndSet(0, errno);
            }
            if (remaining.decrementAndGet() == 0) {
                done.complete(firstError.get());
            }
        };
        for (long at = offset; at < offset + length; at += step) {
            piece.run(at, Math.min(step, offset + length - at), each);
        }
    }

    private void submit(IoOperation op, int flags, long offset, long length, ByteBuffer[] data, IoTask.Done done) {
        RnbdIo io = new RnbdIo(deviceId, offset >>> RnbdCodec.SECTOR_SHIFT, op, flags, length, 0);
        long now = System.nanoTime();
        session.submit(new IoTask(data, done, now, now + ioTimeoutNanos, this, io));
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
