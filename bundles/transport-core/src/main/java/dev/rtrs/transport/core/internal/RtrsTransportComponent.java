package dev.rtrs.transport.core.internal;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

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

/**
 * Registers the transport as the RtrsClient, RtrsServer and RtrsAdmin services. Verbs providers and multipath
 * policies are dynamic: they come and go with their bundles while sessions keep running.
 */
@Component(service = {RtrsClient.class, RtrsServer.class, RtrsAdmin.class})
public final class RtrsTransportComponent implements RtrsClient, RtrsServer, RtrsAdmin {

    private final RtrsTransport transport = new RtrsTransport();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addProvider(VerbsProvider provider) {
        transport.addProvider(provider);
    }

    void removeProvider(VerbsProvider provider) {
        transport.removeProvider(provider);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPolicy(MultipathPolicy policy) {
        transport.addPolicy(policy);
    }

    void removePolicy(MultipathPolicy policy) {
        transport.removePolicy(policy);
    }

    /** The highest ranked heartbeat monitor; a better one replaces it while paths run. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
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

    @Deactivate
    void deactivate() {
        transport.close();
    }
}
