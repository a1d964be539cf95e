package dev.rtrs.verbs;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered memory, addressed by work requests through its {@link #address()} range and its keys.
 *
 * <p>Key life cycle: the rkey is valid for remote access from registration until a LOCAL_INV or a
 * SEND_WITH_INV naming it completes, or until the region is closed. {@link #updateKey()} followed by
 * a REG_MR work request makes a fresh rkey valid for the same memory. A region has one key in force at a
 * time: once the REG_MR has completed, the previous key is no longer accepted.
 *
 * <p>Invalidation fences remote access only: the lkey stays usable in local scatter/gather entries until the
 * region is closed or a REG_MR replaces its key, as a kernel ULP's local DMA key would. An invalidation
 * completes only after remote accesses that were in flight at that moment have finished.
 */
@ProviderType
public interface MemoryRegion extends AutoCloseable {

    ProtectionDomain protectionDomain();

    /** The registered memory, position 0 and limit {@link #length()}, shared with the device. */
    ByteBuffer buffer();

    /** The first byte's address in the device's address space (a virtual address on real NICs). */
    long address();

    int length();

    /** Key for local access in scatter/gather entries. */
    int lkey();

    /** Key a peer names in RDMA WRITE and READ to reach this region. */
    int rkey();

    /** Flags from {@link Access} given at registration or by the last REG_MR. */
    int access();

    /**
     * Whether the current rkey is accepted for remote access right now (registered and not invalidated).
     */
    boolean isRemotelyAccessible();

    /**
     * Computes the next key (the low 8 bits incremented, as ibverbs' fast-registration key update does) and
     * makes it this region's {@link #rkey()} and {@link #lkey()}. The new rkey is accepted by the device only
     * once a REG_MR work request for this region has completed; the old rkey keeps its state until it is
     * invalidated or that REG_MR completes. Requires {@link DeviceCapabilities.Capability#FAST_REGISTRATION}.
     *
     * @return the new rkey
     * @throws VerbsException {@code EOPNOTSUPP} when the device lacks fast registration
     */
    int updateKey() throws VerbsException;

    /**
     * Deregisters the region: afterwards no key of it is accepted, locally or remotely. Non-blocking;
     * when it returns the device no longer touches the memory (a remote write still arriving for it fails
     * with a remote access error).
     */
    @Override
    void close();
}
