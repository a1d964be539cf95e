package dev.rtrs.jmx.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.management.DynamicMBean;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one MBean per client session, client path, server session, mapped device and export registered while it
 * exists: {@link #refresh} registers what is new and unregisters what went away. A plain class that a test can
 * {@code new} with an MBean server as its {@link Registrar}; {@link JmxComponent} runs it on a timer.
 */
final class MBeanPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MBeanPublisher.class);

    /** Where the MBeans go: Karaf's JMX whiteboard in the appliance, an MBean server in tests. */
    @FunctionalInterface
    interface Registrar {
        /** Registers the MBean; closing the result unregisters it. */
        AutoCloseable register(ObjectName name, DynamicMBean mbean) throws Exception;
    }

    /**
     * An MBean that should be there. {@code identity} tells a new session or path from a gone one of the same name,
     * whose MBean is replaced.
     */
    private record Wanted(Object identity, Supplier<DynamicMBean> mbean) {}

    private record Registered(Object identity, AutoCloseable handle) {}

    private final Registrar registrar;
    private final Beans beans;
    private final Supplier<RtrsAdmin> transport;
    private final Supplier<RnbdClientAdmin> client;
    private final Supplier<RnbdServerAdmin> server;
    private final Map<ObjectName, Registered> registered = new HashMap<>();
    /** Names whose registration failed, so that the log says it once and not at every refresh. */
    private final Set<ObjectName> failing = new HashSet<>();

    private boolean closed;

    MBeanPublisher(
            Registrar registrar,
            Supplier<RtrsAdmin> transport,
            Supplier<RnbdClientAdmin> client,
            Supplier<RnbdServerAdmin> server) {
        this.registrar = registrar;
        this.transport = transport;
        this.client = client;
        this.server = server;
        this.beans = new Beans(transport, client, server);
    }

    /** Brings the registered MBeans in line with the admin services. Called on the timer's thread. */
    synchronized void refresh() {
        if (closed) {
            return;
        }
        Map<ObjectName, Wanted> wanted;
        try {
            wanted = wanted();
        } catch (RuntimeException e) {
            // a service going away under the listing: keep what is registered until the next refresh
            LOG.debug("MBeans not refreshed: {}", e.toString());
            return;
        }
        for (Iterator<Map.Entry<ObjectName, Registered>> it =
                        registered.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<ObjectName, Registered> e = it.next();
            Wanted w = wanted.get(e.getKey());
            if (w == null || !w.identity().equals(e.getValue().identity())) {
                unregister(e.getKey(), e.getValue());
                it.remove();
            }
        }
        for (Map.Entry<ObjectName, Wanted> e : wanted.entrySet()) {
            if (!registered.containsKey(e.getKey())) {
                register(e.getKey(), e.getValue());
            }
        }
        failing.retainAll(wanted.keySet());
    }

    private Map<ObjectName, Wanted> wanted() {
        Map<ObjectName, Wanted> wanted = new LinkedHashMap<>();
        RtrsAdmin t = transport.get();
        if (t != null) {
            for (ClientSession s : t.clientSessions()) {
                String name = s.name();
                wanted.put(
                        ObjectNames.of(ObjectNames.CLIENT_SESSION, name),
                        new Wanted(s.uuid(), () -> ClientSessionBean.mbean(name, beans)));
                for (PathInfo p : s.paths()) {
                    ObjectName on = ObjectNames.clientPath(name, p.name());
                    if (wanted.containsKey(on)) {
                        on = ObjectNames.clientPath(name, p.name(), p.uuid().toString());
                    }
                    wanted.put(
                            on,
                            new Wanted(s.uuid() + "/" + p.uuid(), () -> ClientPathBean.mbean(name, p.uuid(), beans)));
                }
            }
            for (ServerEndpoint e : t.servers()) {
                for (ServerSession s : e.sessions()) {
                    String name = s.name();
                    wanted.putIfAbsent(
                            ObjectNames.of(ObjectNames.SERVER_SESSION, name),
                            new Wanted(name, () -> ServerSessionBean.mbean(name, beans)));
                }
            }
        }
        RnbdClientAdmin c = client.get();
        if (c != null) {
            for (RnbdClientAdmin.MappedDeviceInfo d : c.devices()) {
                String name = d.name();
                wanted.put(
                        ObjectNames.of(ObjectNames.MAPPED_DEVICE, name),
                        new Wanted(name, () -> MappedDeviceBean.mbean(name, beans)));
            }
        }
        RnbdServerAdmin s = server.get();
        if (s != null) {
            for (RnbdServerAdmin.ExportInfo e : s.exports()) {
                String name = e.name();
                wanted.put(
                        ObjectNames.of(ObjectNames.EXPORT, name),
                        new Wanted(name, () -> ExportBean.mbean(name, beans)));
            }
        }
        return wanted;
    }

    private void register(ObjectName name, Wanted w) {
        try {
            registered.put(
                    name,
                    new Registered(
                            w.identity(), registrar.register(name, w.mbean().get())));
            failing.remove(name);
        } catch (Exception e) {
            if (failing.add(name)) {
                LOG.warn("MBean {} not registered: {}", name, e.toString());
            }
        }
    }

    private static void unregister(ObjectName name, Registered r) {
        try {
            r.handle().close();
        } catch (Exception e) {
            LOG.debug("MBean {} not unregistered: {}", name, e.toString());
        }
    }

    /** The names registered now. */
    synchronized Set<ObjectName> names() {
        return Set.copyOf(registered.keySet());
    }

    /** Unregisters every MBean; refreshes afterwards do nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        registered.forEach(MBeanPublisher::unregister);
        registered.clear();
    }
}
