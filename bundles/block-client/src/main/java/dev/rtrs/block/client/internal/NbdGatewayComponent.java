package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.client.internal.nbd.NbdExports;
import dev.rtrs.block.client.internal.nbd.NbdServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/** The NBD gateway of the appliance: every {@link BlockDevice} service with a device name is an NBD export. */
@Component(service = NbdGatewayComponent.class, immediate = true, configurationPid = NbdGatewayComponent.PID)
@Designate(ocd = NbdGatewayConfig.class)
public final class NbdGatewayComponent implements NbdExports {

    static final String PID = "dev.rtrs.block.client.NbdGateway";

    private final Map<String, BlockDevice> devices = new ConcurrentHashMap<>();
    private NbdServer server;

    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            target = "(" + BlockDevice.DEVICE_NAME + "=*)")
    void addDevice(BlockDevice device, Map<String, Object> properties) {
        devices.put(String.valueOf(properties.get(BlockDevice.DEVICE_NAME)), device);
    }

    void removeDevice(BlockDevice device, Map<String, Object> properties) {
        devices.remove(String.valueOf(properties.get(BlockDevice.DEVICE_NAME)), device);
    }

    @Activate
    void activate(NbdGatewayConfig config) throws IOException {
        NbdServer.Options options = new NbdServer.Options(
                config.maxConnections(),
                Duration.ofMillis(config.negotiationTimeoutMs()),
                (long) config.connectionBufferMb() << 20);
        server = new NbdServer(new InetSocketAddress(config.address(), config.port()), this, options);
    }

    @Deactivate
    void deactivate() {
        server.close();
    }

    /** Where the gateway listens. */
    InetSocketAddress address() {
        return server.localAddress();
    }

    /** {@code nbd://host:port/name} while the gateway exports the device {@code name}, else null. */
    String uri(String name) {
        if (!devices.containsKey(name)) {
            return null;
        }
        InetSocketAddress a = server.localAddress();
        String host = a.getAddress().getHostAddress();
        return "nbd://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort() + "/" + name;
    }

    /** Connections of NBD clients that use the export {@code name} now. */
    int openCount(String name) {
        return server.connectionCount(name);
    }

    /** Closes the connections of NBD clients that use the export {@code name}; returns how many. */
    int closeConnections(String name) {
        return server.closeConnections(name);
    }

    /** The names of the devices the gateway exports now. */
    Set<String> exportNames() {
        return Set.copyOf(devices.keySet());
    }

    @Override
    public List<BlockDevice> list() {
        return List.copyOf(devices.values());
    }

    @Override
    public BlockDevice find(String name) {
        return devices.get(name);
    }
}
