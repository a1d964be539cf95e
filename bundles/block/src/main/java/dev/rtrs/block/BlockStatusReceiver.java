package dev.rtrs.block;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the allocation of a range of a {@link BlockDevice}, extent by extent ({@link BlockDevice#blockStatus}),
 * then its completion. The extents follow each other from the range's offset; each is a positive number of whole
 * logical blocks, and together they never reach past the range.
 */
@ConsumerType
public interface BlockStatusReceiver extends BlockCompletion {

    /** Extent flag: the extent is not allocated in the device's storage (a hole). */
    int HOLE = 1;

    /** Extent flag: the extent reads as zeroes. */
    int ZERO = 1 << 1;

    /**
     * The next extent. Called on the device's or the caller's thread, before {@link #complete} and never after
     * it; must not block.
     *
     * @param length bytes, positive, whole logical blocks
     * @param flags  {@link #HOLE} and {@link #ZERO}, or 0 for allocated data of unknown content
     * @return true to receive the next extent, false to stop here (the device then completes with success)
     */
    boolean extent(long length, int flags);
}
