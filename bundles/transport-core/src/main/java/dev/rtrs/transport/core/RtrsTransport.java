package dev.rtrs.transport.core;

import dev.rtrs.errno.Errno;
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
import dev.rtrs.transport.core.internal.Heartbeats;
import dev.rtrs.transport.core.internal.client.ClientSessionImpl;
import dev.rtrs.transport.core.internal.policy.PolicyRegistry;
import dev.rtrs.transport.core.internal.server.ServerEndpointImpl;
import dev.rtrs.verbs.VerbsProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RTRS implementation as a plain Java object: add verbs providers (and, optionally, multipath policies),
 * then open client sessions and start servers. In Karaf the same object is registered as the
 * {@link RtrsClient} and {@link RtrsServer} services, with providers and policies bound dynamically.
 *
 * <pre>{@code
 * try (var transport = new RtrsTransport().addProvider(new TcpVerbsProvider())) {
 *     ServerEndpoint server = transport.listen(ServerOptions.defaults(loopback), handler, null);
 *     ClientSession session = transport.open(ClientSessionOptions.builder("demo")
 *             .paths(PathAddress.parse("127.0.0.1", 1234)).build(), null);
 * }
 * }</pre>
 */
public final class RtrsTransport implements RtrsClient, RtrsServer, RtrsAdmin, AutoCloseable {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Map<String, VerbsProvider> providers = new ConcurrentHashMap<>();
    private final PolicyRegistry policies = new PolicyRegistry();
    private final List<ClientSessionImpl> sessions = new CopyOnWriteArrayList<>();
    private final List<ServerEndpointImpl> endpoints = new CopyOnWriteArrayList<>();
    private final Heartbeats heartbeats = new Heartbeats();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rtrs-transport-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** Makes a verbs provider available under its {@link VerbsProvider#name()}. */
    public RtrsTransport addProvider(VerbsProvider provider) {
        providers.put(provider.name(), provider);
        // servers whose provider went away listen again; client paths pick it up at their next attempt
        for (ServerEndpointImpl e : endpoints) {
            e.providerAdded(provider.name());
        }
        return this;
    }

    public void removeProvider(VerbsProvider provider) {
        providers.remove(provider.name(), provider);
    }

    /**
     * Installs a multipath policy under a name and aliases; sessions that ask for one of them start using it while
     * they run.
     */
    public RtrsTransport addPolicy(MultipathPolicy policy, String name, String... aliases) {
        policies.add(policy, name, List.of(aliases));
        sessions.forEach(ClientSessionImpl::refreshPolicy);
        return this;
    }

    /** Removes a policy; its sessions fall back to round-robin until a policy of that name is back. */
    public void removePolicy(MultipathPolicy policy) {
        if (policies.remove(policy)) {
            sessions.forEach(ClientSessionImpl::refreshPolicy);
        }
    }

    /**
     * Makes {@code heartbeat} the liveness monitor of every connected path, client and server side, replacing the
     * one in use. Without one, paths run without liveness detection.
     */
    public RtrsTransport setHeartbeat(Heartbeat heartbeat) {
        heartbeats.bind(heartbeat);
        return this;
    }

    /** Removes the liveness monitor, if it is the one in use. */
    public void unsetHeartbeat(Heartbeat heartbeat) {
        heartbeats.unbind(heartbeat);
    }

    private final ClientSessionImpl.PolicySource policySource = new ClientSessionImpl.PolicySource() {
        @Override
        public MultipathPolicy find(String name) {
            return policies.find(name);
        }

        @Override
        public String canonicalName(String name) {
            return policies.canonicalName(name);
        }
    };

    /** Fails fast when a session or server names a provider that is not installed. */
    private VerbsProvider requireProvider(String name) throws TransportException {
        VerbsProvider p = providers.get(name);
        if (p == null) {
            throw new TransportException(
                    Errno.ENODEV, "no verbs provider '" + name + "' (available: " + providers.keySet() + ")");
        }
        return p;
    }

    @Override
    public ClientSession open(ClientSessionOptions options, ClientLinkListener listener) throws TransportException {
        requireProvider(options.provider());
        ClientSessionImpl session =
                new ClientSessionImpl(options, listener, providers::get, policySource, heartbeats, executor, executor);
        session.open();
        sessions.add(session);
        session.onClose(() -> sessions.remove(session));
        return session;
    }

    @Override
    public ServerEndpoint listen(ServerOptions options, RequestHandler handler, ServerLinkListener listener)
            throws TransportException {
        ServerEndpointImpl endpoint =
                new ServerEndpointImpl(options, handler, listener, providers::get, heartbeats, executor);
        endpoint.onClose(() -> endpoints.remove(endpoint));
        // listed before it starts: a provider added meanwhile finds it and makes it listen
        endpoints.add(endpoint);
        try {
            endpoint.start();
        } catch (TransportException | RuntimeException e) {
            endpoints.remove(endpoint);
            throw e;
        }
        return endpoint;
    }

    /** The client sessions open now (connected or reconnecting). Non-blocking; a snapshot. */
    @Override
    public List<ClientSession> clientSessions() {
        return List.copyOf(sessions);
    }

    /** The multipath policies installed now, by name, with their aliases. */
    @Override
    public Map<String, List<String>> policies() {
        return policies.names();
    }

    /** The servers listening now. Non-blocking; a snapshot. */
    @Override
    public List<ServerEndpoint> servers() {
        return List.copyOf(endpoints);
    }

    /** Closes every session and server this transport opened. */
    @Override
    public void close() {
        for (ClientSessionImpl s : sessions) {
            s.close();
        }
        sessions.clear();
        for (ServerEndpointImpl e : endpoints) {
            e.close();
        }
        endpoints.clear();
        executor.shutdownNow();
    }
}
