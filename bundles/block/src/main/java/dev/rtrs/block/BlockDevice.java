package dev.rtrs.block;

import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A block device: a mapped RNBD device on a client (also registered as a service), or the storage an export
 * lives on, as opened by a {@link BlockBackend}.
 *
 * <p>All operations are asynchronous and never block the caller; each calls its completion exactly once.
 * Offsets and lengths are in bytes and multiples of {@link #logicalBlockSize()}. A misaligned operation or one
 * reaching past the end fails with {@code EINVAL}, a write to a read-only device with {@code EROFS}, an
 * operation the device does not support with {@code EOPNOTSUPP}, and a device whose storage went away with
 * {@code EIO}.
 *
 * <p>A completion may run on the calling thread before the operation returns (a memory device completes that
 * way), so a caller must not hold a lock there that its completion takes. The data buffer's position, limit and
 * byte order are left as they were; its content belongs to the device until the completion.
 */
@ProviderType
public interface BlockDevice extends AutoCloseable {

    /** Service property of a mapped device's service: its name. */
    String DEVICE_NAME = "rnbd.device";

    /** Write flag: the data is on stable storage when the completion comes (Force Unit Access). */
    int FUA = 1;

    String name();

    /** Size in bytes. */
    long size();

    int logicalBlockSize();

    int physicalBlockSize();

    boolean isReadOnly();

    /** The device has a volatile write cache: {@link #flush} is needed for durability. */
    boolean hasWriteCache();

    /** FUA writes are honoured natively (otherwise they are emulated by a flush). */
    boolean supportsFua();

    boolean supportsDiscard();

    boolean supportsWriteZeroes();

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst} (from its position). */
    void read(long offset, ByteBuffer dst, BlockCompletion done);

    /** Writes {@code src.remaining()} bytes at {@code offset}; {@code flags} may hold {@link #FUA}, no other bit. */
    void write(long offset, ByteBuffer src, int flags, BlockCompletion done);

    /** Makes every completed write durable. */
    void flush(BlockCompletion done);

    /** Tells the device the range is no longer needed; later reads return zeroes or old data. */
    void discard(long offset, long length, BlockCompletion done);

    /** Makes the range read back as zeroes. */
    void writeZeroes(long offset, long length, BlockCompletion done);

    /**
     * Tells which parts of {@code length} bytes at {@code offset} are allocated and which read as zeroes: calls
     * {@link BlockStatusReceiver#extent} for consecutive extents from {@code offset} until they cover the range
     * (at least one extent for a range that is not empty) or the receiver wants no more, then
     * {@link BlockStatusReceiver#complete} once; on an error without any extent (EINVAL for a misaligned or
     * out-of-range request, EIO for a closed backend device). Any thread; does not block. The answer is a
     * snapshot: a write or discard that runs at the same time may or may not be seen.
     *
     * <p>The default checks the range and reports it as one extent of allocated data, the answer that is never
     * wrong for a device that cannot tell more. A mapped RNBD device answers so: RNBD 2.0 has no message that
     * asks a server for the allocation of its export. Backends that know their holes (the memory backend) say
     * more.
     */
    default void blockStatus(long offset, long length, BlockStatusReceiver receiver) {
        boolean inRange = offset >= 0
                && length >= 0
                && ((offset | length) & (logicalBlockSize() - 1)) == 0
                && offset <= size() - length;
        if (inRange && length > 0) {
            receiver.extent(length, 0);
        }
        receiver.complete(inRange ? 0 : Errno.EINVAL);
    }

    /** Releases the device; operations in progress complete first or fail. */
    @Override
    void close();
}
