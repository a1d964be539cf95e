package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathAddress;
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
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mapped device per factory configuration, so mappings survive appliance restarts. Maps in the background
 * (retrying while the server is unreachable) and registers the device as a {@link BlockDevice} service with the
 * {@value BlockDevice#DEVICE_NAME} property once mapped; unmaps when the configuration is deleted. Each failed attempt
 * is reported to the {@link RnbdClientComponent} under the configuration's PID.
 */
@Component(
        service = {},
        configurationPid = MappedDeviceComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = MappedDeviceConfig.class, factory = true)
public final class MappedDeviceComponent {

    static final String PID = "dev.rtrs.block.client.MappedDevice";
    private static final Logger LOG = LoggerFactory.getLogger(MappedDeviceComponent.class);
    private static final long RETRY_MS = 3000;

    private final RnbdClientComponent owner;
    private final RnbdClient client;
    private final String pid;
    /** What this component maps; replaced when its configuration changes. Guarded by this. */
    private RnbdClient.MapSpec spec;

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
    public MappedDeviceComponent(
            @Reference RnbdClientComponent owner,
            MappedDeviceConfig config,
            Map<String, Object> properties,
            BundleContext context) {
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
        int connections =
                c.connectionsPerPath() > 0 ? c.connectionsPerPath() : ClientSessionOptions.defaultConnectionsPerPath();
        return RnbdClient.MapSpec.builder(c.name(), c.session(), c.devicePath())
                .paths(paths)
                .mode(mode)
                .connectionsPerPath(connections)
                .provider(c.provider())
                .policy(c.policy())
                .maxReconnectAttempts(c.maxReconnectAttempts())
                .reconnectDelay(Duration.ofMillis(c.reconnectDelayMs()))
                .connectTimeout(Duration.ofMillis(c.connectTimeoutMs()))
                .ioTimeoutMs(c.ioTimeoutMs())
                .build();
    }

    private void map() {
        RnbdClient.MapSpec attempt;
        synchronized (this) {
            attempt = spec;
        }
        MappedDevice device;
        try {
            device = client.map(attempt);
        } catch (BlockException | RuntimeException e) {
            // the first failure and every 20th are warnings: a server that stays away would fill the log; at boot
            // the verbs provider may start after this component, which is no reason to warn
            boolean noProvider = e instanceof BlockException b && b.errno() == Errno.ENODEV && failures < 5;
            if (noProvider) {
                failures++;
                LOG.info("mapping {} waits for its verbs provider: {}", spec.name(), e.getMessage());
            } else if (failures++ % 20 == 0) {
                LOG.warn(
                        "cannot map {} ({} through session {}): {}; retrying every {} ms ({} attempts so far)",
                        spec.name(),
                        spec.devicePath(),
                        spec.sessionName(),
                        e.getMessage(),
                        RETRY_MS,
                        failures);
            } else {
                LOG.debug("cannot map {}: {}", spec.name(), e.getMessage());
            }
            synchronized (this) {
                if (!stopped) {
                    owner.mapFailed(
                            pid,
                            e instanceof BlockException b
                                    ? b
                                    : new BlockException(Errno.EINVAL, String.valueOf(e.getMessage())));
                    retry.schedule(this::map, RETRY_MS, TimeUnit.MILLISECONDS);
                }
            }
            return;
        }
        synchronized (this) {
            if (stopped || attempt != spec) {
                // stopped, or reconfigured while this attempt ran: the device it mapped is not wanted
                unmap(attempt);
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

    private void unmap(RnbdClient.MapSpec mapped) {
        try {
            client.unmap(mapped.name());
        } catch (BlockException e) {
            LOG.debug("unmap {}: {}", mapped.name(), e.getMessage());
        }
    }

    /**
     * A changed configuration. A new multipath policy, new paths or new reconnect attempts change the running session
     * while IO flows (as rtrs:set-policy, rtrs:add-path and the like do, which store them here); any other change
     * unmaps the device and maps it again with the new settings, as a new configuration would.
     */
    @Modified
    void modified(MappedDeviceConfig config) {
        RnbdClient.MapSpec next = spec(config);
        synchronized (this) {
            RnbdClient.MapSpec before = spec;
            spec = next;
            if (sameSessionSettingsAside(before, next)) {
                LOG.info(
                        "mapped device {}: session {} takes multipath policy {}, {} paths, max reconnect attempts {}",
                        next.name(),
                        next.sessionName(),
                        next.policy(),
                        next.paths().size(),
                        next.maxReconnectAttempts());
                client.setPolicy(next.sessionName(), next.policy());
                applySessionSettings(next);
                return;
            }
            LOG.info("mapped device {}: configuration changed; mapping it again", next.name());
            if (registration != null) {
                registration.unregister();
                registration = null;
                unmap(before);
            }
            failures = 0;
        }
        retry.execute(this::map);
    }

    /** Paths and reconnect attempts of the running session; a path that cannot be added is logged. */
    private void applySessionSettings(RnbdClient.MapSpec next) {
        ClientActions actions = owner.actions();
        if (client.session(next.sessionName()) == null) {
            return;
        }
        try {
            actions.setMaxReconnectAttempts(next.sessionName(), next.maxReconnectAttempts());
        } catch (BlockException e) {
            LOG.warn("mapped device {}: max reconnect attempts not applied: {}", next.name(), e.getMessage());
        }
        // off this component's lock: adding a path waits for it to connect
        retry.execute(() -> actions.reconcilePaths(next.sessionName(), next.paths()));
    }

    private static boolean sameSessionSettingsAside(RnbdClient.MapSpec a, RnbdClient.MapSpec b) {
        return a.equals(new RnbdClient.MapSpec(
                b.name(),
                b.sessionName(),
                a.paths(),
                b.devicePath(),
                b.mode(),
                b.connectionsPerPath(),
                b.provider(),
                a.policy(),
                a.maxReconnectAttempts(),
                b.reconnectDelay(),
                b.connectTimeout(),
                b.ioTimeoutMs()));
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            stopped = true;
            if (registration != null) {
                registration.unregister();
                registration = null;
                unmap(spec);
            }
        }
        retry.shutdownNow();
        owner.clearMapFailure(pid);
    }
}
