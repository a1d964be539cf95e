package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.RtrsLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps and unmaps devices the way an operator's etc/ file does: through a factory configuration of
 * {@value MappedDeviceComponent#PID}, which its {@link MappedDeviceComponent} maps in the background. {@link #map}
 * waits for that component, and reports the server's refusal as soon as the first attempt meets one.
 */
@Component(service = RnbdClientAdmin.class)
public final class RnbdClientAdminComponent implements RnbdClientAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(RnbdClientAdminComponent.class);
    private static final long POLL_MS = 50;
    /** How long unmap waits for the device to go after its configuration did (a CLOSE may wait for the server). */
    private static final long UNMAP_WAIT_MS = 35_000;

    private final RnbdClientComponent owner;
    private final ConfigurationAdmin configurationAdmin;

    /** Tells whether NBD clients use a device; absent while the gateway cannot run (its port taken, say). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile NbdGatewayComponent gateway;

    @Activate
    public RnbdClientAdminComponent(
            @Reference RnbdClientComponent owner, @Reference ConfigurationAdmin configurationAdmin) {
        this.owner = owner;
        this.configurationAdmin = configurationAdmin;
    }

    private RnbdClient client() {
        return owner.client();
    }

    @Override
    public List<MappedDeviceInfo> devices() {
        Map<String, MappedDeviceInfo> byName = new TreeMap<>();
        for (MappedDevice d : client().devices()) {
            byName.put(d.name(), info(d));
        }
        try {
            for (Configuration c : configurations(null)) {
                Dictionary<String, Object> p = c.getProperties();
                String name = p == null ? null : string(p, MappingConfigs.NAME);
                if (name != null && !byName.containsKey(name)) {
                    byName.put(
                            name,
                            new MappedDeviceInfo(
                                    name,
                                    string(p, MappingConfigs.SESSION),
                                    string(p, MappingConfigs.DEVICE_PATH),
                                    accessMode(string(p, MappingConfigs.ACCESS_MODE)),
                                    -1,
                                    MappedDeviceState.MAPPING));
                }
            }
        } catch (BlockException e) {
            LOG.warn("mapped devices: configurations not readable: {}", e.getMessage());
        }
        return new ArrayList<>(byName.values());
    }

    @Override
    public Map<String, DeviceStatistics> deviceStatistics() {
        Map<String, DeviceStatistics> byName = new TreeMap<>();
        for (MappedDevice d : client().devices()) {
            byName.put(d.name(), d.statistics());
        }
        return byName;
    }

    private static MappedDeviceInfo info(MappedDevice d) {
        return new MappedDeviceInfo(
                d.name(),
                d.sessionName(),
                d.devicePath(),
                d.accessMode(),
                d.size(),
                d.isConnected() ? MappedDeviceState.MAPPED : MappedDeviceState.RECONNECTING);
    }

    private static String string(Dictionary<String, Object> p, String key) {
        Object v = p.get(key);
        if (v instanceof String[] a) {
            return String.join(MappingConfigs.PATH_SEPARATOR, a);
        }
        return v == null ? null : v.toString();
    }

    /** The configured access mode; null when there is none RNBD knows (the mapping will fail and say why). */
    private static AccessMode accessMode(String configured) {
        try {
            return MappingConfigs.accessMode(configured);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public MappedDeviceInfo map(MapRequest request, long timeoutMs) throws BlockException {
        Dictionary<String, Object> properties = MappingConfigs.properties(request);
        if (timeoutMs <= 0) {
            throw new BlockException(Errno.EINVAL, "timeout must be positive, not " + timeoutMs + " ms");
        }
        String name = request.name();
        Configuration created;
        synchronized (this) {
            if (client().device(name) != null || !configurations(name).isEmpty()) {
                throw new BlockException(Errno.EEXIST, "a device named " + name + " is already mapped or configured");
            }
            try {
                // a fresh PID per mapping: a failure recorded under it belongs to this mapping only
                created = configurationAdmin.createFactoryConfiguration(MappedDeviceComponent.PID);
                created.update(properties);
            } catch (IOException e) {
                throw new BlockException(Errno.EIO, "cannot store the mapping of " + name + ": " + e.getMessage(), e);
            }
        }
        LOG.info(
                "mapping {}: {} through session {} ({})",
                name,
                request.devicePath(),
                request.session(),
                created.getPid());
        return awaitMapped(created, request, timeoutMs);
    }

    private MappedDeviceInfo awaitMapped(Configuration created, MapRequest request, long timeoutMs)
            throws BlockException {
        String name = request.name();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            MappedDevice d = client().device(name);
            if (d != null) {
                return info(d);
            }
            BlockException failure = owner.mapFailure(created.getPid());
            if (failure instanceof OpenRefusedException) {
                delete(created);
                throw new BlockException(
                        failure.errno(),
                        "refused device " + request.devicePath() + " (" + request.accessMode() + ") for " + name + ": "
                                + failure.getMessage() + "; the mapping is removed");
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new BlockException(
                        Errno.ETIMEDOUT,
                        name + " is not mapped after " + timeoutMs
                                + " ms; the mapping stays configured and keeps trying"
                                + (failure == null ? "" : " (last attempt: " + failure.getMessage() + ")"));
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BlockException(
                        Errno.EINTR,
                        "interrupted while mapping " + name + "; the mapping stays configured and keeps trying");
            }
        }
    }

    @Override
    public void unmap(String name) throws BlockException {
        if (name == null || name.isBlank()) {
            throw new BlockException(Errno.EINVAL, "a device name is needed");
        }
        List<Configuration> configs;
        synchronized (this) {
            configs = configurations(name);
            if (configs.isEmpty()) {
                if (client().device(name) == null) {
                    throw new BlockException(Errno.ENOENT, "no mapped device named " + name);
                }
                // mapped through RnbdClient directly, without a configuration
                client().unmap(name);
                return;
            }
            for (Configuration c : configs) {
                delete(c);
            }
        }
        long deadline = System.nanoTime() + UNMAP_WAIT_MS * 1_000_000L;
        while (client().device(name) != null) {
            if (System.nanoTime() - deadline >= 0) {
                throw new BlockException(
                        Errno.ETIMEDOUT,
                        "the mapping of " + name
                                + " is deleted, but the device is still being unmapped (its server does not answer)");
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BlockException(Errno.EINTR, "interrupted; the mapping of " + name + " is deleted");
            }
        }
        LOG.info("unmapped {}", name);
    }

    @Override
    public List<String> setPolicy(String session, String policy) throws BlockException {
        List<String> changed = updateConfigurations(session, p -> p.put(MappingConfigs.POLICY, policy));
        if (changed.isEmpty()) {
            throw new BlockException(Errno.ENOENT, "no configured mapped device uses session " + session);
        }
        // the configurations' components switch the session too; this makes it visible at once
        client().setPolicy(session, policy);
        LOG.info("session {}: multipath policy {} (mapped devices {})", session, policy, changed);
        return changed;
    }

    @Override
    public void unmap(String name, boolean force) throws BlockException {
        if (name == null || name.isBlank()) {
            throw new BlockException(Errno.EINVAL, "a device name is needed");
        }
        if (client().device(name) == null && configurations(name).isEmpty()) {
            throw new BlockException(Errno.ENOENT, "no mapped device named " + name);
        }
        NbdGatewayComponent g = gateway;
        int open = g == null ? 0 : g.openCount(name);
        if (open > 0 && !force) {
            throw new BlockException(
                    Errno.EBUSY, name + " is open by " + open + " NBD connection(s); a forced unmap closes them");
        }
        if (open > 0) {
            g.closeConnections(name);
        }
        unmap(name);
    }

    @Override
    public int openCount(String name) {
        NbdGatewayComponent g = gateway;
        return g == null ? 0 : g.openCount(name);
    }

    @Override
    public String nbdUri(String name) {
        NbdGatewayComponent g = gateway;
        return g == null ? null : g.uri(name);
    }

    @Override
    public MappedDeviceInfo remap(String name) throws BlockException {
        return info(owner.actions().remap(name));
    }

    @Override
    public MappedDeviceInfo resize(String name) throws BlockException {
        return info(owner.actions().resize(name));
    }

    @Override
    public List<String> addPath(String session, String path, int port) throws BlockException {
        requireConfigured(session);
        if (path == null || path.contains(MappingConfigs.PATH_SEPARATOR)) {
            throw new BlockException(Errno.EINVAL, "path '" + path + "' must be one [src,]dst address pair");
        }
        PathAddress address;
        try {
            address = PathAddress.parse(path, port);
        } catch (IllegalArgumentException e) {
            throw new BlockException(Errno.EINVAL, "bad path '" + path + "': " + e.getMessage());
        }
        // the running session first, as the kernel's add_path: a path that does not connect is not configured
        if (client().session(session) != null) {
            owner.actions().addPath(session, address);
        }
        return updateConfigurations(session, p -> {
            List<String> entries = pathEntries(p);
            if (entries.stream().noneMatch(e -> address.equals(parsed(e, port(p))))) {
                entries.add(address.toString());
            }
            p.put(MappingConfigs.PATHS, String.join(MappingConfigs.PATH_SEPARATOR, entries));
        });
    }

    @Override
    public List<String> removePath(String session, UUID path) throws BlockException {
        requireConfigured(session);
        if (client().session(session) == null) {
            throw new BlockException(Errno.ENOENT, "session " + session + " is not open; its paths have no uuid yet");
        }
        PathAddress removed = owner.actions().removePath(session, path);
        if (removed == null) {
            // a path no configuration named
            return List.of();
        }
        return updateConfigurations(session, p -> {
            List<String> entries = pathEntries(p);
            entries.removeIf(e -> removed.equals(parsed(e, port(p))));
            p.put(MappingConfigs.PATHS, String.join(MappingConfigs.PATH_SEPARATOR, entries));
        });
    }

    @Override
    public List<String> setMaxReconnectAttempts(String session, int attempts) throws BlockException {
        if (attempts < -1 || attempts > RtrsLimits.MAX_RECONNECT_ATTEMPTS) {
            throw new BlockException(
                    Errno.EINVAL,
                    "max reconnect attempts must be -1 (no limit) or 0 to " + RtrsLimits.MAX_RECONNECT_ATTEMPTS
                            + ", not " + attempts);
        }
        requireConfigured(session);
        if (client().session(session) != null) {
            owner.actions().setMaxReconnectAttempts(session, attempts);
        }
        return updateConfigurations(session, p -> p.put(MappingConfigs.MAX_RECONNECT_ATTEMPTS, attempts));
    }

    private void requireConfigured(String session) throws BlockException {
        boolean configured = false;
        for (Configuration c : configurations(null)) {
            Dictionary<String, Object> p = c.getProperties();
            configured |= p != null && session != null && session.equals(string(p, MappingConfigs.SESSION));
        }
        if (!configured) {
            throw new BlockException(Errno.ENOENT, "no configured mapped device uses session " + session);
        }
    }

    /** Applies {@code change} to the configuration of each mapped device of the session; returns their names. */
    private List<String> updateConfigurations(String session, Consumer<Dictionary<String, Object>> change)
            throws BlockException {
        List<String> changed = new ArrayList<>();
        synchronized (this) {
            for (Configuration c : configurations(null)) {
                Dictionary<String, Object> p = c.getProperties();
                if (p == null || !session.equals(string(p, MappingConfigs.SESSION))) {
                    continue;
                }
                change.accept(p);
                try {
                    c.update(p);
                } catch (IOException e) {
                    throw new BlockException(
                            Errno.EIO,
                            "cannot store the configuration of " + string(p, MappingConfigs.NAME) + ": "
                                    + e.getMessage(),
                            e);
                }
                changed.add(string(p, MappingConfigs.NAME));
            }
        }
        return changed;
    }

    /** The configured paths, one {@code [src,]dst} each. */
    private static List<String> pathEntries(Dictionary<String, Object> p) {
        String joined = string(p, MappingConfigs.PATHS);
        List<String> entries = new ArrayList<>();
        if (joined != null) {
            Arrays.stream(joined.split(MappingConfigs.PATH_SEPARATOR))
                    .map(String::trim)
                    .filter(e -> !e.isEmpty())
                    .forEach(entries::add);
        }
        return entries;
    }

    private static int port(Dictionary<String, Object> p) {
        Object v = p.get(MappingConfigs.PORT);
        try {
            return v instanceof Number n
                    ? n.intValue()
                    : v == null
                            ? RtrsLimits.DEFAULT_PORT
                            : Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            return RtrsLimits.DEFAULT_PORT;
        }
    }

    /** A configured path entry, or null for one that does not parse (it is left as it is). */
    private static PathAddress parsed(String entry, int port) {
        try {
            return PathAddress.parse(entry, port);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void delete(Configuration c) throws BlockException {
        try {
            c.delete();
        } catch (IOException | IllegalStateException e) {
            throw new BlockException(Errno.EIO, "cannot delete configuration " + c.getPid() + ": " + e.getMessage(), e);
        }
    }

    /** The mapped-device configurations, all or those of one device name. */
    private List<Configuration> configurations(String name) throws BlockException {
        String filter = "(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + MappedDeviceComponent.PID + ")";
        if (name != null) {
            filter = "(&" + filter + "(" + MappingConfigs.NAME + "=" + MappingConfigs.filterValue(name) + "))";
        }
        try {
            Configuration[] found = configurationAdmin.listConfigurations(filter);
            return found == null ? List.of() : List.of(found);
        } catch (IOException | InvalidSyntaxException e) {
            throw new BlockException(Errno.EIO, "cannot read the mapped-device configurations: " + e.getMessage(), e);
        }
    }
}
