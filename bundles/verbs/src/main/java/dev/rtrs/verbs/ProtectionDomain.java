package dev.rtrs.verbs;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/** A protection domain: memory regions and queue pairs of one domain may be used together. */
@ProviderType
public interface ProtectionDomain extends AutoCloseable {

    RdmaDevice device();

    /**
     * Registers the remaining bytes of a direct buffer (from its position to its limit).
     * Non-blocking.
     *
     * @param buffer a direct buffer; the region keeps a view of it, the caller's position and limit are untouched
     * @param access flags from {@link Access}
     * @throws VerbsException {@code EINVAL} for a heap buffer, unknown flags, REMOTE_WRITE without LOCAL_WRITE
     *         (as ibverbs requires) or a size above the device's limit
     */
    MemoryRegion register(ByteBuffer buffer, int access) throws VerbsException;

    /** Deallocates the domain; its regions must be closed first. */
    @Override
    void close();
}
