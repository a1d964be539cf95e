package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.core.internal.jmx.TransportStatistics;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The statistics MXBean, read through the platform MBean server as a JMX console would. */
@Timeout(30)
class TransportStatisticsTest {

    @Test
    void sessionsAndPathCountersAreOpenDataAndCanBeReset() throws Exception {
        try (Fixture f = new Fixture(true)) {
            ClientSession s = f.open("jmx");
            Fixture.io(s, Direction.WRITE, 0, ByteBuffer.allocate(1000));
            TransportStatistics mbean = new TransportStatistics(f.transport);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.rtrs:type=Transport,name=Statistics");
            try {
                CompositeData[] clients = (CompositeData[]) server.getAttribute(name, "ClientSessions");
                assertEquals(1, clients.length);
                assertEquals("jmx", clients[0].get("name"));
                assertEquals("CONNECTED", clients[0].get("state"));
                CompositeData path = ((CompositeData[]) clients[0].get("paths"))[0];
                assertEquals(1L, path.get("writeCount"));
                assertEquals(1000L, path.get("writeBytes"));
                CompositeData[] servers = (CompositeData[]) server.getAttribute(name, "ServerSessions");
                assertEquals("jmx", servers[0].get("name"));
                assertEquals(2, server.invoke(name, "resetStatistics", new Object[] {"jmx"}, new String[] {
                    String.class.getName()
                }));
                clients = (CompositeData[]) server.getAttribute(name, "ClientSessions");
                assertEquals(0L, ((CompositeData[]) clients[0].get("paths"))[0].get("writeCount"));
            } finally {
                mbean.close();
            }
            assertFalse(server.isRegistered(name), "deactivation unregisters the MXBean");
            assertTrue(s.paths().size() == 1);
        }
    }
}
