package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvContext;
import com.ibm.disni.verbs.IbvPd;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionListener;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.disni.DisniOptions;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One RDMA device. DiSNI reaches a device's verbs context only through a connection-manager id bound to one of its
 * addresses, so the context arrives after the provider (or the first id) has bound such an id; until then domains and
 * queues cannot be created.
 */
final class DisniDevice implements RdmaDevice {

    private final ProviderRuntime runtime;
    private final String name;
    private final DeviceCapabilities capabilities;
    private final AtomicInteger nextVector = new AtomicInteger();
    private volatile IbvContext context;
    private volatile int completionVectors = 1;

    DisniDevice(ProviderRuntime runtime, String name, DeviceCapabilities capabilities) {
        this.runtime = runtime;
        this.name = name;
        this.capabilities = capabilities;
    }

    /**
     * What a DiSNI device reports: the configured limits (DiSNI 2.1 cannot query them), 56 bytes of connect private
     * data, and none of the optional verbs, for DiSNI 2.1 has no LOCAL_INV, SEND_WITH_INV or REG_MR opcode, no
     * reject with private data and no way to set a queue pair's ACK timeout or retry count (ACK_TIMEOUT).
     */
    static DeviceCapabilities capabilitiesOf(DisniOptions options) {
        return new DeviceCapabilities(
                options.maxQueuePairWorkRequests(),
                options.maxScatterGatherEntries(),
                options.maxCompletionQueueEntries(),
                options.maxMemoryRegionSize(),
                CmId.MAX_PRIVATE_DATA,
                Set.of());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceCapabilities capabilities() {
        return capabilities;
    }

    ProviderRuntime runtime() {
        return runtime;
    }

    boolean hasContext() {
        return context != null;
    }

    /** Takes the first verbs context seen for this device. */
    synchronized void adopt(IbvContext candidate) {
        if (context == null && candidate != null) {
            try {
                completionVectors = Math.max(1, candidate.getNumCompVectors());
            } catch (IOException e) {
                completionVectors = 1;
            }
            context = candidate;
        }
    }

    IbvContext context() throws VerbsException {
        IbvContext c = context;
        if (c == null) {
            throw new VerbsException(
                    Errno.ENODEV,
                    "device " + name + " has no verbs context yet: DiSNI opens it"
                            + " through a connection-manager id bound to one of the device's IPv4 addresses");
        }
        return c;
    }

    @Override
    public ProtectionDomain allocateProtectionDomain() throws VerbsException {
        runtime.requireOpen();
        try {
            IbvPd pd = context().allocPd();
            if (pd == null) {
                throw new VerbsException(Errno.ENOMEM, "ibv_alloc_pd failed on " + name);
            }
            return new DisniProtectionDomain(this, pd);
        } catch (IOException e) {
            throw Errnos.wrap("allocate a protection domain on " + name, e, Errno.ENOMEM);
        }
    }

    @Override
    public CompletionQueue createCompletionQueue(int capacity, CompletionListener listener) throws VerbsException {
        runtime.requireOpen();
        if (capacity < 1 || capacity > capabilities.maxCompletionQueueEntries()) {
            throw new VerbsException(
                    Errno.EINVAL,
                    "completion queue capacity " + capacity + " outside [1, " + capabilities.maxCompletionQueueEntries()
                            + "]");
        }
        int vector = Math.floorMod(nextVector.getAndIncrement(), completionVectors);
        DisniCompletionQueue cq = DisniCompletionQueue.create(
                this, capacity, listener, runtime.options().completionWaitMs(), vector);
        runtime.track(cq);
        return cq;
    }

    @Override
    public String toString() {
        return "DisniDevice[" + name + (hasContext() ? "" : ", no context") + "]";
    }
}
