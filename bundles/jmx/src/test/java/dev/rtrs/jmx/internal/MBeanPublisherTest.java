package dev.rtrs.jmx.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.ExportStatistics;
import dev.rtrs.transport.PathInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The publisher against a real MBean server and admin services in memory. */
class MBeanPublisherTest {

    private final MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
    private final Fakes.Transport transport = new Fakes.Transport();
    private final Fakes.Client demo = new Fakes.Client(
            "demo", Fakes.path("127.0.0.1", "127.0.0.1", 10), Fakes.path("127.0.0.2", "127.0.0.2", 30));
    private final Fakes.Session serverDemo = new Fakes.Session("demo", demo.paths.get(0), demo.paths.get(1));
    private final Fakes.Server server = new Fakes.Server();
    private final Fakes.BlockClient blockClient = new Fakes.BlockClient();
    private final Fakes.BlockServer blockServer = new Fakes.BlockServer();
    private final AtomicInteger registrations = new AtomicInteger();
    private final MBeanPublisher publisher = new MBeanPublisher(
            (name, mbean) -> {
                registrations.incrementAndGet();
                mbeans.registerMBean(mbean, name);
                return () -> mbeans.unregisterMBean(name);
            },
            () -> transport,
            () -> blockClient,
            () -> blockServer);

    MBeanPublisherTest() {
        transport.clients.add(demo);
        server.sessions.add(serverDemo);
        transport.servers.add(server);
        blockClient.add("demo", "demo");
        blockServer.add("demo");
    }

    @AfterEach
    void close() {
        publisher.close();
    }

    private Set<String> registered() throws Exception {
        return mbeans.queryNames(new ObjectName("dev.rtrs:*"), null).stream()
                .map(ObjectName::toString)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static ObjectName name(String text) throws Exception {
        return new ObjectName(text);
    }

    private Object invoke(String name, String operation, Object[] arguments, String[] signature) throws Exception {
        return mbeans.invoke(name(name), operation, arguments, signature);
    }

    /** What an operation threw, as a remote JMX client sees it. */
    private Throwable failure(String name, String operation, Object[] arguments, String[] signature) {
        RuntimeMBeanException e =
                assertThrows(RuntimeMBeanException.class, () -> invoke(name, operation, arguments, signature));
        return e.getCause();
    }

    @Test
    void oneMBeanPerSessionPathDeviceAndExport() throws Exception {
        publisher.refresh();
        assertEquals(
                new TreeSet<>(List.of(
                        "dev.rtrs:type=ClientSession,name=demo",
                        "dev.rtrs:type=ClientPath,session=demo,name=127.0.0.1@127.0.0.1",
                        "dev.rtrs:type=ClientPath,session=demo,name=127.0.0.2@127.0.0.2",
                        "dev.rtrs:type=ServerSession,name=demo",
                        "dev.rtrs:type=MappedDevice,name=demo",
                        "dev.rtrs:type=Export,name=demo")),
                registered());
    }

    @Test
    void mbeansFollowWhatComesAndGoesWithoutLeaking() throws Exception {
        publisher.refresh();
        PathInfo second = demo.paths.remove(1);
        blockClient.devices.clear();
        Fakes.Client other = new Fakes.Client("other", Fakes.path("127.0.0.1", "127.0.0.3", 0));
        transport.clients.add(other);
        publisher.refresh();
        Set<String> now = registered();
        assertFalse(now.contains("dev.rtrs:type=ClientPath,session=demo,name=" + second.name()), now.toString());
        assertFalse(now.contains("dev.rtrs:type=MappedDevice,name=demo"), now.toString());
        assertTrue(now.contains("dev.rtrs:type=ClientSession,name=other"), now.toString());
        assertTrue(now.contains("dev.rtrs:type=ClientPath,session=other,name=127.0.0.1@127.0.0.3"), now.toString());
        assertEquals(
                Set.copyOf(now),
                publisher.names().stream().map(ObjectName::toString).collect(Collectors.toSet()));

        int before = registrations.get();
        publisher.refresh();
        assertEquals(before, registrations.get(), "nothing changed, nothing registered again");

        publisher.close();
        assertTrue(registered().isEmpty(), registered().toString());
        publisher.refresh();
        assertTrue(registered().isEmpty(), "a closed publisher registers nothing");
    }

    @Test
    void aSessionOfTheSameNameOpenedAgainGetsAFreshMBean() throws Exception {
        publisher.refresh();
        transport.clients.clear();
        transport.clients.add(new Fakes.Client("demo", demo.paths.get(0)));
        int before = registrations.get();
        publisher.refresh();
        assertEquals(before + 2, registrations.get(), "the session and its path");
        assertEquals(
                transport.clients.get(0).uuid().toString(),
                mbeans.getAttribute(name("dev.rtrs:type=ClientSession,name=demo"), "Uuid"));
    }

    @Test
    void namesWithSpecialCharactersAreQuotedAndPathsOfOneNameToldApart() throws Exception {
        PathInfo v6 = Fakes.path("::1", "::1", 0);
        PathInfo twin = Fakes.path("127.0.0.1", "127.0.0.1", 0);
        transport.clients.add(new Fakes.Client("a,b=c", v6));
        demo.paths.add(twin);
        publisher.refresh();
        ObjectName session = ObjectNames.of(ObjectNames.CLIENT_SESSION, "a,b=c");
        assertEquals("dev.rtrs:type=ClientSession,name=\"a,b=c\"", session.toString());
        assertEquals("a,b=c", mbeans.getAttribute(session, "Name"));
        ObjectName path = ObjectNames.clientPath("a,b=c", v6.name());
        assertEquals(v6.name(), ObjectName.unquote(path.getKeyProperty("name")));
        assertEquals(v6.uuid().toString(), mbeans.getAttribute(path, "Uuid"));
        ObjectName second = name("dev.rtrs:type=ClientPath,session=demo,name=127.0.0.1@127.0.0.1,uuid=" + twin.uuid());
        assertEquals(twin.uuid().toString(), mbeans.getAttribute(second, "Uuid"));
    }

    @Test
    void clientSessionAttributesAndOperations() throws Exception {
        publisher.refresh();
        String session = "dev.rtrs:type=ClientSession,name=demo";
        assertEquals("CONNECTED", mbeans.getAttribute(name(session), "State"));
        assertEquals(-1, mbeans.getAttribute(name(session), "MaxReconnectAttempts"));
        assertArrayEquals(new String[] {"127.0.0.1@127.0.0.1", "127.0.0.2@127.0.0.2"}, (String[])
                mbeans.getAttribute(name(session), "Paths"));
        assertArrayEquals(new String[] {"demo"}, (String[]) mbeans.getAttribute(name(session), "MappedDevices"));

        String[] text = {String.class.getName()};
        assertEquals(
                "Session demo uses round-robin (kept in the configuration of demo)",
                invoke(session, "setPolicy", new Object[] {"RR"}, text));
        assertEquals(
                "Session demo makes at most 77 reconnect attempts (kept in the configuration of demo)",
                invoke(session, "setMaxReconnectAttempts", new Object[] {77}, new String[] {"int"}));
        assertEquals(List.of("setPolicy demo round-robin", "setMaxReconnectAttempts demo 77"), blockClient.calls);

        blockClient.devices.clear();
        assertTrue(((String) invoke(session, "setPolicy", new Object[] {"mi"}, text)).contains("runtime only"));
        assertEquals("min-inflight", demo.policy);
        Throwable unknown = failure(session, "setPolicy", new Object[] {"fastest"}, text);
        assertInstanceOf(IllegalArgumentException.class, unknown);
        assertTrue(unknown.getMessage().contains("installed: min-inflight, round-robin"), unknown.getMessage());
        assertInstanceOf(
                IllegalArgumentException.class,
                failure(session, "setMaxReconnectAttempts", new Object[] {10_000}, new String[] {"int"}));

        String added = (String)
                invoke(session, "addPath", new Object[] {"127.0.0.3", 0}, new String[] {String.class.getName(), "int"});
        assertTrue(added.startsWith("Added path 127.0.0.1@127.0.0.3"), added);
        assertEquals(3, demo.paths.size());
        invoke(session, "resetStatistics", new Object[0], new String[0]);
        assertEquals(List.of("resetStatistics"), demo.calls);

        MBeanOperationInfo setPolicy = Arrays.stream(
                        mbeans.getMBeanInfo(name(session)).getOperations())
                .filter(o -> o.getName().equals("setPolicy"))
                .findFirst()
                .orElseThrow();
        assertEquals("policy", setPolicy.getSignature()[0].getName(), "jconsole shows the parameter's name");
    }

    @Test
    void clientPathAttributesAndOperations() throws Exception {
        publisher.refresh();
        PathInfo first = demo.paths.get(0);
        ObjectName path = name("dev.rtrs:type=ClientPath,session=demo,name=127.0.0.1@127.0.0.1");
        ClientPathMXBean proxy = JMX.newMXBeanProxy(mbeans, path, ClientPathMXBean.class);
        assertEquals(first.uuid().toString(), proxy.getUuid());
        assertEquals("CONNECTED", proxy.getState());
        assertEquals("127.0.0.1:40000", proxy.getSource());
        assertEquals(10, proxy.getReads());
        assertEquals(40960, proxy.getReadBytes());
        assertEquals(85, proxy.getRoundTripMicros());
        assertEquals(2, proxy.getFailedOver());
        assertEquals(3, proxy.getReconnects());
        assertEquals(4, proxy.getFailedReconnects());

        assertEquals("Disconnected path 127.0.0.1@127.0.0.1 of session demo", proxy.disconnect());
        assertEquals("Reconnected path 127.0.0.1@127.0.0.1 of session demo", proxy.reconnect());
        assertEquals(List.of("disconnect " + first.uuid(), "reconnect " + first.uuid()), demo.calls);
        assertTrue(proxy.remove().contains("kept in the configuration of demo"));
        assertEquals(List.of("removePath demo " + first.uuid()), blockClient.calls);

        blockClient.devices.clear();
        ClientPathMXBean second = JMX.newMXBeanProxy(
                mbeans, name("dev.rtrs:type=ClientPath,session=demo,name=127.0.0.2@127.0.0.2"), ClientPathMXBean.class);
        demo.paths.remove(0);
        IllegalStateException last = assertThrows(IllegalStateException.class, second::remove);
        assertTrue(last.getMessage().contains("EBUSY"), last.getMessage());
    }

    @Test
    void serverSessionWithItsPathsAsCompositeData() throws Exception {
        publisher.refresh();
        ObjectName session = name("dev.rtrs:type=ServerSession,name=demo");
        CompositeData[] paths = (CompositeData[]) mbeans.getAttribute(session, "Paths");
        assertEquals(2, paths.length);
        assertEquals("127.0.0.1@127.0.0.1", paths[0].get("name"));
        assertEquals(10L, paths[0].get("reads"));
        assertEquals("CONNECTED", paths[0].get("state"));
        assertEquals(
                "Closed path 127.0.0.2@127.0.0.2 of server session demo; its client reconnects it",
                mbeans.invoke(
                        session, "closePath", new Object[] {"127.0.0.2@127.0.0.2"}, new String[] {"java.lang.String"}));
        assertEquals(1, serverDemo.paths.size());
        assertInstanceOf(
                IllegalArgumentException.class,
                failure(session.toString(), "closePath", new Object[] {"nope"}, new String[] {"java.lang.String"}));
        mbeans.invoke(session, "close", new Object[0], new String[0]);
        assertTrue(serverDemo.closed);
    }

    @Test
    void mappedDeviceStatisticsAndOperations() throws Exception {
        blockClient.statistics.put("demo", Fakes.deviceStatistics(3, 1, 2));
        publisher.refresh();
        MappedDeviceMXBean device =
                JMX.newMXBeanProxy(mbeans, name("dev.rtrs:type=MappedDevice,name=demo"), MappedDeviceMXBean.class);
        assertEquals("demo", device.getSession());
        assertEquals("RW", device.getAccessMode());
        assertEquals(1 << 20, device.getSize());
        assertEquals("MAPPED", device.getState());
        assertEquals(3, device.getReads());
        assertEquals(100.0, device.getMeanLatencyMicros(), 1e-9);
        assertEquals(18, device.getLatencyCounts().length);
        assertEquals(2, device.getLatencyCounts()[1]);
        assertEquals(0.00005, device.getLatencyBucketBoundsSeconds()[0], 1e-12);
        assertEquals("", device.getNbdUri());
        IllegalStateException busy = assertThrows(IllegalStateException.class, () -> device.unmap(false));
        assertTrue(busy.getMessage().contains("EBUSY"), busy.getMessage());
        IllegalStateException mapped = assertThrows(IllegalStateException.class, device::remap);
        assertTrue(mapped.getMessage().contains("EALREADY"), mapped.getMessage());
        assertEquals("Unmapped demo", device.unmap(true));
        publisher.refresh();
        assertFalse(registered().contains("dev.rtrs:type=MappedDevice,name=demo"));
    }

    @Test
    void exportCountersComeFromTheServersStatistics() throws Exception {
        publisher.refresh();
        ExportMXBean export = JMX.newMXBeanProxy(mbeans, name("dev.rtrs:type=Export,name=demo"), ExportMXBean.class);
        assertEquals(0, export.getOpens(), "nothing counted yet");
        blockServer.statistics.put("demo", new ExportStatistics(5, 2, 1));
        assertEquals(5, export.getOpens());
        assertEquals(2, export.getRefusedOpens());
        assertEquals(1, export.getIoErrors());
        assertEquals("memory", export.getBackend());
        assertArrayEquals(new String[] {"size=1M"}, export.getParameters());
        assertTrue(export.isAvailable());
        assertEquals(1L << 20, export.getSize());
        export.remove();
        assertTrue(blockServer.exports.isEmpty());
    }

    @Test
    void withoutTheServicesThereAreNoMBeansAndAFailedRegistrationIsRetried() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (MBeanPublisher flaky = new MBeanPublisher(
                (name, mbean) -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw new IllegalStateException("not now");
                    }
                    mbeans.registerMBean(mbean, name);
                    return () -> mbeans.unregisterMBean(name);
                },
                () -> new Fakes.Transport(),
                () -> null,
                () -> blockServer)) {
            flaky.refresh();
            assertTrue(registered().isEmpty(), registered().toString());
            flaky.refresh();
            assertEquals(Set.of("dev.rtrs:type=Export,name=demo"), registered());
        }
        assertTrue(registered().isEmpty());
    }
}
