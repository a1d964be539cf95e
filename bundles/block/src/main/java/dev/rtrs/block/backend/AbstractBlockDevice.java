package dev.rtrs.block.backend;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The part of a {@link BlockDevice} that every backend shares: the checks of the contract, so that each backend
 * fails misaligned, out-of-range, read-only and closed operations the same way. An operation that passes them
 * reaches the subclass's {@code do*} method, which completes it exactly once, now or later.
 *
 * <p>The checks allocate nothing and take no lock. In order: a closed device fails with {@code EIO}, a write to
 * a read-only device with {@code EROFS}, an unsupported operation with {@code EOPNOTSUPP}, then unknown flags, a
 * read into a read-only buffer, a misaligned or out-of-range offset or length with {@code EINVAL}.
 */
@ConsumerType
public abstract class AbstractBlockDevice implements BlockDevice {

    /** Largest logical block size a device may have. */
    public static final int MAX_BLOCK_SIZE = 1 << 16;

    private final String name;
    private final long size;
    private final int logicalBlockSize;
    private final int physicalBlockSize;
    private final boolean readOnly;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param size              bytes, a multiple of the logical block size
     * @param logicalBlockSize  a power of two from 512 to {@value #MAX_BLOCK_SIZE}
     * @param physicalBlockSize a power of two, at least the logical block size
     */
    protected AbstractBlockDevice(
            String name, long size, int logicalBlockSize, int physicalBlockSize, boolean readOnly) {
        this.name = Objects.requireNonNull(name, "name");
        if (logicalBlockSize < 512 || logicalBlockSize > MAX_BLOCK_SIZE || Integer.bitCount(logicalBlockSize) != 1) {
            throw new IllegalArgumentException(
                    "logical block size must be a power of two in [512, " + MAX_BLOCK_SIZE + "]: " + logicalBlockSize);
        }
        if (physicalBlockSize < logicalBlockSize || Integer.bitCount(physicalBlockSize) != 1) {
            throw new IllegalArgumentException(
                    "physical block size must be a power of two from " + logicalBlockSize + ": " + physicalBlockSize);
        }
        if (size < 0 || size % logicalBlockSize != 0) {
            throw new IllegalArgumentException("size must be a multiple of " + logicalBlockSize + ": " + size);
        }
        this.size = size;
        this.logicalBlockSize = logicalBlockSize;
        this.physicalBlockSize = physicalBlockSize;
        this.readOnly = readOnly;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final long size() {
        return size;
    }

    @Override
    public final int logicalBlockSize() {
        return logicalBlockSize;
    }

    @Override
    public final int physicalBlockSize() {
        return physicalBlockSize;
    }

    @Override
    public final boolean isReadOnly() {
        return readOnly;
    }

    /** Whether {@link #close()} has been called; operations submitted after it fail with {@code EIO}. */
    public final boolean isClosed() {
        return closed.get();
    }

    @Override
    public final void read(long offset, ByteBuffer dst, BlockCompletion done) {
        Objects.requireNonNull(done, "done");
        int errno = closed.get() ? Errno.EIO : dst.isReadOnly() ? Errno.EINVAL : checkRange(offset, dst.remaining());
        if (errno != 0) {
            done.complete(errno);
        } else {
            doRead(offset, dst, done);
        }
    }

    @Override
    public final void write(long offset, ByteBuffer src, int flags, BlockCompletion done) {
        Objects.requireNonNull(done, "done");
        int errno = closed.get()
                ? Errno.EIO
                : readOnly ? Errno.EROFS : (flags & ~FUA) != 0 ? Errno.EINVAL : checkRange(offset, src.remaining());
        if (errno != 0) {
            done.complete(errno);
        } else {
            doWrite(offset, src, (flags & FUA) != 0, done);
        }
    }

    @Override
    public final void flush(BlockCompletion done) {
        Objects.requireNonNull(done, "done");
        if (closed.get()) {
            done.complete(Errno.EIO);
        } else {
            doFlush(done);
        }
    }

    @Override
    public final void discard(long offset, long length, BlockCompletion done) {
        Objects.requireNonNull(done, "done");
        int errno = closed.get()
                ? Errno.EIO
                : readOnly ? Errno.EROFS : !supportsDiscard() ? Errno.EOPNOTSUPP : checkRange(offset, length);
        if (errno != 0) {
            done.complete(errno);
        } else {
            doDiscard(offset, length, done);
        }
    }

    @Override
    public final void writeZeroes(long offset, long length, BlockCompletion done) {
        Objects.requireNonNull(done, "done");
        int errno = closed.get()
                ? Errno.EIO
                : readOnly ? Errno.EROFS : !supportsWriteZeroes() ? Errno.EOPNOTSUPP : checkRange(offset, length);
        if (errno != 0) {
            done.complete(errno);
        } else {
            doWriteZeroes(offset, length, done);
        }
    }

    /** Checks closed and range as the other operations do; an empty range completes at once without extents. */
    @Override
    public final void blockStatus(long offset, long length, BlockStatusReceiver receiver) {
        Objects.requireNonNull(receiver, "receiver");
        int errno = closed.get() ? Errno.EIO : checkRange(offset, length);
        if (errno != 0 || length == 0) {
            receiver.complete(errno);
        } else {
            doBlockStatus(offset, length, receiver);
        }
    }

    /** Marks the device closed, then calls {@link #doClose()}; only the first call does anything. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            doClose();
        }
    }

    /** 0, or {@code EINVAL} for a range that is negative, misaligned or reaches past the end. */
    private int checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || ((offset | length) & (logicalBlockSize - 1)) != 0 || offset > size - length) {
            return Errno.EINVAL;
        }
        return 0;
    }

    /** Reads {@code dst.remaining()} bytes from {@code dst.position()}, leaving position and limit as they are. */
    protected abstract void doRead(long offset, ByteBuffer dst, BlockCompletion done);

    /** Writes {@code src.remaining()} bytes from {@code src.position()}, leaving position and limit as they are. */
    protected abstract void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done);

    protected abstract void doFlush(BlockCompletion done);

    /** Called only when {@link #supportsDiscard()}. */
    protected abstract void doDiscard(long offset, long length, BlockCompletion done);

    /** Called only when {@link #supportsWriteZeroes()}. */
    protected abstract void doWriteZeroes(long offset, long length, BlockCompletion done);

    /**
     * Reports the allocation of a range that is not empty, as {@link BlockDevice#blockStatus} says. By default
     * one extent of allocated data: right for storage that cannot tell its holes.
     */
    protected void doBlockStatus(long offset, long length, BlockStatusReceiver receiver) {
        receiver.extent(length, 0);
        receiver.complete(0);
    }

    /**
     * Releases the storage, once. Operations submitted afterwards never reach the subclass; those already in
     * progress must still complete (with {@code EIO} if their storage is gone). Must not block for long.
     */
    protected abstract void doClose();
}
