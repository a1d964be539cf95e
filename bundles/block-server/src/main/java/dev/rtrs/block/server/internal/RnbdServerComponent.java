package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportStatistics;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.RtrsServer;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.TransportException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RNBD server in the appliance: listens with the configured RTRS options and serves the configured exports
 * and the files under the search path. Backends and exports are dynamic references, bound before the server
 * starts listening and then as they come and go (a vanished backend makes its exports' IO fail with EIO until
 * it is back; clients keep their mapping). Also the {@link RnbdServerAdmin} service of the shell and web console.
 */
@Component(
        service = {RnbdServerComponent.class, RnbdServerAdmin.class},
        immediate = true,
        configurationPid = RnbdServerComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = RnbdServerConfig.class)
public final class RnbdServerComponent implements RnbdServerAdmin {

    static final String PID = "dev.rtrs.block.server.RnbdServer";
    private static final Logger LOG = LoggerFactory.getLogger(RnbdServerComponent.class);

    private final ExportRegistry registry = new ExportRegistry("/srv/rnbd");
    private volatile ServerEndpoint endpoint;
    private volatile RnbdServerCore core;
    private volatile ExportConfigurations exportConfigurations;

    @Reference
    private RtrsServer rtrs;

    @Reference
    private ConfigurationAdmin configurationAdmin;

    /** Backends are a whiteboard: every service with the {@value BlockBackend#TYPE} property. */
    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            target = "(" + BlockBackend.TYPE + "=*)")
    void addBackend(BlockBackend backend) {
        registry.addBackend(backend);
    }

    void removeBackend(BlockBackend backend) {
        registry.removeBackend(backend);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addExport(ExportComponent export) {
        registry.addDefinition(export.definition());
    }

    void removeExport(ExportComponent export) {
        registry.removeDefinition(export.definition());
    }

    @Activate
    void activate(RnbdServerConfig config) throws TransportException {
        registry.searchPath(config.devSearchPath());
        registry.searchPathClients(ClientRanges.parse(config.devSearchPathAllowedClients()));
        exportConfigurations = new ExportConfigurations(configurationAdmin, registry);
        List<InetAddress> addresses = new ArrayList<>();
        for (String entry : config.addresses()) {
            for (String a : entry.split(",")) {
                if (a.isBlank()) {
                    continue;
                }
                try {
                    addresses.add(InetAddress.getByName(a.trim()));
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("RNBD server: bad listen address '" + a + "'", e);
                }
            }
        }
        ServerOptions options = ServerOptions.builder(addresses)
                .port(config.port())
                .queueDepth(config.queueDepth())
                .chunkSize(config.chunkSize())
                .alwaysInvalidate(config.alwaysInvalidate())
                .provider(config.provider())
                .maxSessions(config.maxSessions())
                .maxPaths(config.maxPaths())
                .maxPathsPerSession(config.maxPathsPerSession())
                .maxConnectionsPerPath(config.maxConnectionsPerPath())
                .maxConnectingPaths(config.maxConnectingPaths())
                .handshakeTimeout(Duration.ofMillis(config.handshakeTimeoutMs()))
                .build();
        core = new RnbdServerCore(registry, options.chunkSize() - 4096);
        endpoint = rtrs.listen(options, core, core);
        LOG.info(
                "RNBD server on {} port {} (exports {}, dev_search_path {})",
                addresses,
                config.port(),
                registry.names(),
                config.devSearchPath());
    }

    @Override
    public List<ExportInfo> exports() {
        return registry.exportInfos();
    }

    @Override
    public List<OpenDeviceInfo> openDevices() {
        RnbdServerCore c = core;
        return c == null ? List.of() : c.openDevices();
    }

    @Override
    public Map<String, ExportStatistics> exportStatistics() {
        return registry.statistics();
    }

    @Override
    public String devSearchPath() {
        return registry.searchPath();
    }

    @Override
    public ExportInfo addExport(ExportRequest request, long timeoutMs) throws BlockException {
        return exportConfigurations.add(request, timeoutMs);
    }

    @Override
    public void removeExport(String name) throws BlockException {
        exportConfigurations.remove(name);
    }

    /** Force-closes a client's session and with it every device it opened; false when there is none. */
    @Override
    public boolean closeSession(String name) {
        Optional<ServerSession> s = endpoint.session(name);
        s.ifPresent(ServerSession::close);
        return s.isPresent();
    }

    @Deactivate
    void deactivate() {
        ServerEndpoint e = endpoint;
        if (e != null) {
            e.close();
        }
    }
}
