package dev.rtrs.transport.core.internal.jmx;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the transport's statistics as an MXBean in the platform MBean server, which Karaf's JMX connector
 * serves (jconsole, the web console's JMX views, monitoring agents).
 */
@Component(immediate = true)
public final class TransportStatistics implements TransportStatisticsMXBean, AutoCloseable {

    static final String OBJECT_NAME = "dev.rtrs:type=Transport,name=Statistics";
    private static final Logger LOG = LoggerFactory.getLogger(TransportStatistics.class);

    private final RtrsAdmin admin;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName name;

    @Activate
    public TransportStatistics(@Reference RtrsAdmin admin) throws JMException {
        this.admin = admin;
        this.name = new ObjectName(OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(this, name);
    }

    /** Unregisters the MXBean. */
    @Deactivate
    @Override
    public void close() {
        try {
            server.unregisterMBean(name);
        } catch (JMException e) {
            LOG.debug("unregister {}: {}", name, e.getMessage());
        }
    }

    @Override
    public SessionData[] getClientSessions() {
        List<SessionData> list = new ArrayList<>();
        for (ClientSession s : admin.clientSessions()) {
            list.add(new SessionData(s.name(), s.state().name(), s.policy(), s.queueDepth(), paths(s.paths())));
        }
        return list.toArray(new SessionData[0]);
    }

    @Override
    public SessionData[] getServerSessions() {
        List<SessionData> list = new ArrayList<>();
        for (ServerEndpoint e : admin.servers()) {
            for (ServerSession s : e.sessions()) {
                list.add(new SessionData(s.name(), "CONNECTED", "", s.queueDepth(), paths(s.paths())));
            }
        }
        return list.toArray(new SessionData[0]);
    }

    @Override
    public int resetStatistics(String sessionName) {
        int n = 0;
        for (ClientSession s : admin.clientSessions()) {
            if (s.name().equals(sessionName)) {
                s.resetStatistics();
                n++;
            }
        }
        for (ServerEndpoint e : admin.servers()) {
            for (ServerSession s : e.sessions()) {
                if (s.name().equals(sessionName)) {
                    s.resetStatistics();
                    n++;
                }
            }
        }
        return n;
    }

    private static PathData[] paths(List<PathInfo> paths) {
        PathData[] out = new PathData[paths.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = PathData.of(paths.get(i));
        }
        return out;
    }
}
