package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CompletionListener;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

/** The provider's one device: it reaches every address the host's TCP stack reaches. */
final class TcpDevice implements RdmaDevice {

    private final String name;
    private final DeviceCapabilities capabilities;
    private final ProviderRuntime runtime;
    private final MemoryTable memoryTable = new MemoryTable();
    private final AtomicInteger queuePairNumbers = new AtomicInteger(1);

    TcpDevice(ProviderRuntime runtime, TcpProviderOptions options) {
        this.runtime = runtime;
        this.name = options.deviceName();
        this.capabilities = new DeviceCapabilities(
                options.maxQueuePairWorkRequests(),
                options.maxScatterGatherEntries(),
                options.maxCompletionQueueEntries(),
                Integer.MAX_VALUE,
                FrameCodec.MAX_PRIVATE_DATA,
                EnumSet.allOf(Capability.class));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceCapabilities capabilities() {
        return capabilities;
    }

    MemoryTable memoryTable() {
        return memoryTable;
    }

    int nextQueuePairNumber() {
        return queuePairNumbers.getAndIncrement() & 0xFFFFFF;
    }

    /** Any thread; non-blocking. */
    @Override
    public ProtectionDomain allocateProtectionDomain() throws VerbsException {
        runtime.checkOpen();
        return new TcpProtectionDomain(this);
    }

    /** Any thread; non-blocking. The listener is called on the queue's IO thread. */
    @Override
    public CompletionQueue createCompletionQueue(int capacity, CompletionListener listener) throws VerbsException {
        runtime.checkOpen();
        if (capacity < 1 || capacity > capabilities.maxCompletionQueueEntries()) {
            throw new VerbsException(
                    Errno.EINVAL,
                    "completion queue capacity " + capacity + " outside 1.."
                            + capabilities.maxCompletionQueueEntries());
        }
        return new TcpCompletionQueue(this, runtime.nextIoThread(), capacity, listener);
    }

    @Override
    public String toString() {
        return "TcpDevice[" + name + "]";
    }
}
