package dev.rtrs.transport.core.internal;

import dev.rtrs.transport.ClientLinkListener;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Heartbeat;
import dev.rtrs.transport.MultipathPolicy;
import dev.rtrs.transport.RequestHandler;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.RtrsClient;
import dev.rtrs.transport.RtrsServer;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerLinkListener;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.VerbsProvider;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the transport as the RtrsClient, RtrsServer and RtrsAdmin services. Verbs providers and multipath
 * policies are dynamic: they come and go with their bundles while sessions keep running.
 */
@Component(service = {RtrsClient.class, RtrsServer.class, RtrsAdmin.class})
public final class RtrsTransportComponent implements RtrsClient, RtrsServer, RtrsAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(RtrsTransportComponent.class);

    private final RtrsTransport transport = new RtrsTransport();

    /** Verbs providers are a whiteboard too: every service with the {@value VerbsProvider#PROVIDER} property. */
    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            target = "(" + VerbsProvider.PROVIDER + "=*)")
    void addProvider(VerbsProvider provider) {
        transport.addProvider(provider);
    }

    void removeProvider(VerbsProvider provider) {
        transport.removeProvider(provider);
    }

    /**
     * Policies are a whiteboard: every service with the {@value MultipathPolicy#NAME} property, found by that
     * property; its value and {@value MultipathPolicy#ALIASES} are the names sessions ask for.
     */
    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            target = "(" + MultipathPolicy.NAME + "=*)")
    void addPolicy(MultipathPolicy policy, Map<String, Object> properties) {
        try {
            transport.addPolicy(
                    policy,
                    String.valueOf(properties.get(MultipathPolicy.NAME)),
                    strings(properties.get(MultipathPolicy.ALIASES)));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring a multipath policy service: {}", e.getMessage());
        }
    }

    private static String[] strings(Object value) {
        if (value instanceof String[] a) {
            return a;
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toArray(String[]::new);
        }
        return value == null ? new String[0] : String.valueOf(value).split(",");
    }

    void removePolicy(MultipathPolicy policy) {
        transport.removePolicy(policy);
    }

    /** The highest ranked heartbeat monitor; a better one replaces it while paths run. */
    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setHeartbeat(Heartbeat heartbeat) {
        transport.setHeartbeat(heartbeat);
    }

    void unsetHeartbeat(Heartbeat heartbeat) {
        transport.unsetHeartbeat(heartbeat);
    }

    @Override
    public ClientSession open(ClientSessionOptions options, ClientLinkListener listener) throws TransportException {
        return transport.open(options, listener);
    }

    @Override
    public ServerEndpoint listen(ServerOptions options, RequestHandler handler, ServerLinkListener listener)
            throws TransportException {
        return transport.listen(options, handler, listener);
    }

    @Override
    public List<ClientSession> clientSessions() {
        return transport.clientSessions();
    }

    @Override
    public List<ServerEndpoint> servers() {
        return transport.servers();
    }

    @Override
    public Map<String, List<String>> policies() {
        return transport.policies();
    }

    @Deactivate
    void deactivate() {
        transport.close();
    }
}
