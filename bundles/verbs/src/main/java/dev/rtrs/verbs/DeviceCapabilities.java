package dev.rtrs.verbs;

import java.util.Set;

/**
 * Limits and optional verbs of a device.
 *
 * <p>Where {@link Capability#FAST_REGISTRATION} is absent, a consumer that needs a fresh rkey for the
 * same memory closes the {@link MemoryRegion} and registers the buffer again; where
 * {@link Capability#LOCAL_INVALIDATE} is absent, closing the region is the fence (deregistration
 * completes only when the device no longer accepts the rkey).
 *
 * @param maxQueuePairWorkRequests most work requests one send or receive queue may hold
 * @param maxScatterGatherEntries  most scatter/gather entries per work request
 * @param maxCompletionQueueEntries most entries of one completion queue
 * @param maxMemoryRegionSize      largest memory region in bytes
 * @param maxPrivateData           most bytes of private data in a connect request
 * @param optional                 the optional verbs the device supports
 */
public record DeviceCapabilities(
        int maxQueuePairWorkRequests,
        int maxScatterGatherEntries,
        int maxCompletionQueueEntries,
        long maxMemoryRegionSize,
        int maxPrivateData,
        Set<Capability> optional) {

    public DeviceCapabilities {
        optional = Set.copyOf(optional);
    }

    public boolean supports(Capability capability) {
        return optional.contains(capability);
    }

    /** Optional verbs. */
    public enum Capability {
        /** The LOCAL_INV work request. */
        LOCAL_INVALIDATE,
        /** The SEND_WITH_INV work request and the invalidated rkey in receive completions. */
        SEND_WITH_INVALIDATE,
        /** The REG_MR work request with {@link MemoryRegion#updateKey()}: a new rkey without deregistration. */
        FAST_REGISTRATION,
        /** Reject of a connect request carrying private data back to the requester. */
        REJECT_WITH_PRIVATE_DATA,
        /**
         * Private data of connect and accept reaches the peer (in CONNECT_REQUEST and ESTABLISHED). Protocols that
         * shake hands in private data, as RTRS does, need it.
         */
        CONNECT_PRIVATE_DATA,
        /**
         * Each queue pair takes its {@link QueuePairAttributes#ackTimeout()} and
         * {@link QueuePairAttributes#retryCount()}: a request the peer stops acknowledging fails with
         * {@link WcStatus#RETRY_EXCEEDED_ERROR} after that time. Without it the provider applies its own configured
         * limits to every queue pair.
         */
        ACK_TIMEOUT
    }
}
