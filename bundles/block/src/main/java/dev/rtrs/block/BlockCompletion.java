package dev.rtrs.block;

import org.osgi.annotation.versioning.ConsumerType;

/** Completion of one block operation. */
@ConsumerType
@FunctionalInterface
public interface BlockCompletion {

    /**
     * Called once, on the device's or the transport's thread; must not block.
     *
     * @param errno 0 on success, else a positive Linux errno (EIO, EROFS, EINVAL, ENOSPC, ...)
     */
    void complete(int errno);
}
