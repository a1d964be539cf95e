package dev.rtrs.verbs;

import org.osgi.annotation.versioning.ProviderType;

/** One RDMA device (a NIC port, or the software device of the TCP provider). */
@ProviderType
public interface RdmaDevice {

    /** The device name, e.g. {@code mlx5_0} or {@code tcp0}. */
    String name();

    /** What the device can do: queue limits and optional verbs. */
    DeviceCapabilities capabilities();

    /** Allocates a protection domain. Non-blocking. */
    ProtectionDomain allocateProtectionDomain() throws VerbsException;

    /**
     * Creates a completion queue holding at most {@code capacity} completions.
     *
     * @param listener called on a provider thread after {@link CompletionQueue#requestNotify()} once a
     *                 completion is queued; may be {@code null} for a queue that is only polled
     */
    CompletionQueue createCompletionQueue(int capacity, CompletionListener listener) throws VerbsException;
}
