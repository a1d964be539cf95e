package dev.rtrs.block.client.internal;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.verbs.Errno;

/**
 * One mapped device per factory configuration, so mappings survive appliance restarts. Maps in the background
 * (retrying while the server is unreachable) and registers the device as a {@link BlockDevice} service with the
 * {@value BlockDevice#DEVICE_NAME} property once mapped; unmaps when the configuration is deleted. Each failed attempt
 * is reported to the {@link RnbdClientComponent} under the configuration's PID.
 */
@Component(service = {}, configurationPid = MappedDeviceComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = MappedDeviceConfig.class, factory = true)
public final class MappedDeviceComponent {

    static final String PID = "dev.rtrs.block.client.MappedDevice";
    private static final Logger LOG = LoggerFactory.getLogger(MappedDeviceComponent.class);
    private static final long RETRY_MS = 3000;

    private final RnbdClientComponent owner;
    private final RnbdClient client;
    private final String pid;
    private final RnbdClient.MapSpec spec;
    private final BundleContext context;
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rnbd-map");
        t.setDaemon(true);
        return t;
    });
    private ServiceRegistration<BlockDevice> registration;
    private boolean stopped;
    private int failures;

    @Activate
    public MappedDeviceComponent(@Reference RnbdClientComponent owner, MappedDeviceConfig config,
            Map<String, Object> properties, BundleContext context) {
        this.owner = owner;
        this.client = owner.client();
        this.pid = String.valueOf(properties.get(Constants.SERVICE_PID));
        this.context = context;
        this.spec = spec(config);
        retry.execute(this::map);
    }

    static RnbdClient.MapSpec spec(MappedDeviceConfig c) {
        List<PathAddress> paths = MappingConfigs.paths(c.paths(), c.port());
        AccessMode mode = MappingConfigs.accessMode(c.accessMode());
        int connections = c.connectionsPerPath() > 0 ? c.connectionsPerPath()
                : ClientSessionOptions.defaultConnectionsPerPath();
        return new RnbdClient.MapSpec(c.name(), c.session(), paths, c.devicePath(), mode, connections, c.provider(),
                Duration.ofMillis(c.reconnectDelayMs()), Duration.ofMillis(c.connectTimeoutMs()), c.ioTimeoutMs());
    }

    private void map() {
        MappedDevice device;
        try {
            device = client.map(spec);
        } catch (BlockException | RuntimeException e) {
            // the first failure and every 20th are warnings: a server that stays away would fill the log; at boot
            // the verbs provider may start after this component, which is no reason to warn
            boolean noProvider = e instanceof BlockException b && b.errno() == Errno.ENODEV && failures < 5;
            if (noProvider) {
                failures++;
                LOG.info("mapping {} waits for its verbs provider: {}", spec.name(), e.getMessage());
            } else if (failures++ % 20 == 0) {
                LOG.warn("cannot map {} ({} through session {}): {}; retrying every {} ms ({} attempts so far)",
                        spec.name(), spec.devicePath(), spec.sessionName(), e.getMessage(), RETRY_MS, failures);
            } else {
                LOG.debug("cannot map {}: {}", spec.name(), e.getMessage());
            }
            synchronized (this) {
                if (!stopped) {
                    owner.mapFailed(pid, e instanceof BlockException b ? b
                            : new BlockException(Errno.EINVAL, String.valueOf(e.getMessage())));
                    retry.schedule(this::map, RETRY_MS, TimeUnit.MILLISECONDS);
                }
            }
            return;
        }
        synchronized (this) {
            if (stopped) {
                unmap();
                return;
            }
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(BlockDevice.DEVICE_NAME, device.name());
            props.put("rnbd.session", device.sessionName());
            props.put("rnbd.device_path", device.devicePath());
            props.put("rnbd.access_mode", device.accessMode().name());
            registration = context.registerService(BlockDevice.class, device, props);
            owner.clearMapFailure(pid);
        }
    }

    private void unmap() {
        try {
            client.unmap(spec.name());
        } catch (BlockException e) {
            LOG.debug("unmap {}: {}", spec.name(), e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            stopped = true;
            if (registration != null) {
                registration.unregister();
                registration = null;
                unmap();
            }
        }
        retry.shutdownNow();
        owner.clearMapFailure(pid);
    }
}
