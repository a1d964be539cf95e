package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvContext;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaEventChannel;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmEventHandler;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.disni.DisniOptions;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one provider instance runs: one RDMA CM event channel with its event thread, the devices found in sysfs and
 * the completion queues open on them. Each device's verbs context is opened by binding an "anchor" id to one of the
 * device's IPv4 addresses (DiSNI has no other way to open a device); the anchors stay bound while the provider runs
 * so the contexts stay open. A device without an IPv4 address gets its context from the first id that resolves or
 * binds to it.
 */
public final class ProviderRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderRuntime.class);

    private final VerbsProvider provider;
    private final DisniOptions options;
    private final SysfsDevices sysfs;
    private final DeviceCapabilities capabilities;
    private final RdmaEventChannel channel;
    private final CmEventLoop events;
    private final List<DisniDevice> devices = new CopyOnWriteArrayList<>();
    private final Map<Integer, DisniDevice> devicesByCommandFd = new ConcurrentHashMap<>();
    private final List<RdmaCmId> anchors = new CopyOnWriteArrayList<>();
    private final Set<DisniCompletionQueue> completionQueues = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ProviderRuntime(
            VerbsProvider provider, DisniOptions options, SysfsDevices sysfs, RdmaEventChannel channel) {
        this.provider = provider;
        this.options = options;
        this.sysfs = sysfs;
        this.capabilities = DisniDevice.capabilitiesOf(options);
        this.channel = channel;
        this.events = new CmEventLoop(this, channel, options.cmEventIntervalMs());
    }

    /**
     * Checks that DiSNI can run here (see {@link Availability}: this loads libdisni), then opens the event channel and
     * the devices and starts the event thread of {@code provider}. Blocks while binding the anchor ids.
     *
     * @throws VerbsException {@code ENODEV} naming what is missing (libdisni, an RDMA device, the JVM flag), or the
     *         error of opening the event channel
     */
    public static ProviderRuntime start(VerbsProvider provider, DisniOptions options) throws VerbsException {
        SysfsDevices sysfs = SysfsDevices.system();
        Availability availability = Availability.check(new SystemNativeEnvironment(), sysfs);
        if (!availability.available()) {
            throw new VerbsException(Errno.ENODEV, availability.describe("DiSNI RDMA provider unavailable"));
        }
        return start(provider, options, availability.devices(), sysfs);
    }

    private static ProviderRuntime start(
            VerbsProvider provider, DisniOptions options, List<String> deviceNames, SysfsDevices sysfs)
            throws VerbsException {
        RdmaEventChannel channel;
        try {
            channel = RdmaEventChannel.createEventChannel();
        } catch (IOException e) {
            throw Errnos.wrap("create the RDMA CM event channel", e, Errno.ENODEV);
        }
        if (channel == null) {
            throw new VerbsException(Errno.ENODEV, "rdma_create_event_channel failed");
        }
        ProviderRuntime runtime = new ProviderRuntime(provider, options, sysfs, channel);
        for (String name : deviceNames) {
            runtime.devices.add(new DisniDevice(runtime, name, runtime.capabilities));
        }
        try {
            runtime.openDevices();
            runtime.events.start();
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        LOG.info("DiSNI RDMA provider started: {}", runtime.devices);
        return runtime;
    }

    public List<RdmaDevice> devices() {
        return List.copyOf(devices);
    }

    /** Any thread; waits at most for one poll of the event thread. */
    public CmId createCmId(CmEventHandler handler) throws VerbsException {
        requireOpen();
        Objects.requireNonNull(handler, "handler");
        RdmaCmId nativeId;
        try {
            nativeId = events.createNativeId();
        } catch (IOException e) {
            throw Errnos.wrap("create a connection-manager id", e, Errno.ENOMEM);
        }
        DisniCmId id = new DisniCmId(this, nativeId, handler);
        events.register(nativeId, id);
        return id;
    }

    /** The provider the ids report as theirs. */
    VerbsProvider provider() {
        return provider;
    }

    DisniOptions options() {
        return options;
    }

    CmEventLoop events() {
        return events;
    }

    void requireOpen() throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.ENODEV, "DiSNI provider closed");
        }
    }

    void track(DisniCompletionQueue cq) {
        completionQueues.add(cq);
    }

    void untrack(DisniCompletionQueue cq) {
        completionQueues.remove(cq);
    }

    /**
     * The device of a verbs context, found by the context's command file descriptor (every id on one device shares
     * one context). A device sysfs did not list is added.
     */
    synchronized DisniDevice deviceOf(IbvContext context) throws IOException {
        if (context == null) {
            return null;
        }
        int fd = context.getCmd_fd();
        DisniDevice known = devicesByCommandFd.get(fd);
        if (known != null) {
            return known;
        }
        String name = sysfs.deviceOfVerbsFd(fd).orElse("uverbs-fd" + fd);
        DisniDevice device =
                devices.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
        if (device == null) {
            device = new DisniDevice(this, name, capabilities);
            devices.add(device);
        }
        device.adopt(context);
        devicesByCommandFd.put(fd, device);
        return device;
    }

    /** Binds an anchor id per device to the first IPv4 address of its network interfaces that works. */
    private void openDevices() {
        for (DisniDevice device : devices) {
            for (InetAddress address : ipv4Addresses(device.name())) {
                if (anchor(device, address)) {
                    break;
                }
            }
            if (!device.hasContext()) {
                LOG.info(
                        "RDMA device {} has no usable IPv4 address yet; it opens with the first id bound to it",
                        device.name());
            }
        }
    }

    private boolean anchor(DisniDevice device, InetAddress address) {
        RdmaCmId id = null;
        try {
            id = events.createNativeId();
            id.bindAddr(new InetSocketAddress(address, 0));
            DisniDevice bound = deviceOf(id.getVerbs());
            if (bound != null) {
                // whichever device the address reached has its context through this id now: keep it
                anchors.add(id);
                return bound == device;
            }
        } catch (IOException e) {
            LOG.debug("Opening {} through {} failed: {}", device.name(), address, e.getMessage());
        }
        if (id != null) {
            try {
                id.destroyId();
            } catch (IOException e) {
                LOG.debug("Destroying an anchor id failed: {}", e.getMessage());
            }
        }
        return false;
    }

    private List<InetAddress> ipv4Addresses(String device) {
        List<InetAddress> result = new ArrayList<>();
        for (String name : sysfs.networkInterfaces(device)) {
            try {
                NetworkInterface nif = NetworkInterface.getByName(name);
                if (nif != null && nif.isUp()) {
                    for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            result.add(a);
                        }
                    }
                }
            } catch (SocketException e) {
                LOG.debug("Reading the addresses of {} failed: {}", name, e.getMessage());
            }
        }
        return result;
    }

    /**
     * Stops the event thread and the completion threads, closes the completion queues still open and releases the
     * event channel. Blocks until the threads have ended. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        events.close();
        for (DisniCompletionQueue cq : List.copyOf(completionQueues)) {
            cq.close();
        }
        for (RdmaCmId anchor : anchors) {
            try {
                anchor.destroyId();
            } catch (IOException e) {
                LOG.debug("Destroying an anchor id failed: {}", e.getMessage());
            }
        }
        anchors.clear();
        if (events.openIds() > 0) {
            LOG.warn("DiSNI provider closed with {} connection-manager ids still open", events.openIds());
        }
        try {
            channel.destroyEventChannel();
        } catch (IOException e) {
            LOG.warn("Destroying the RDMA CM event channel failed: {}", e.getMessage());
        }
        LOG.info("DiSNI RDMA provider stopped");
    }
}
