package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The appliance's MBeans in the MBean server Karaf serves over JMX: those of the demo (its client session and two
 * paths, server session, mapped device and export), their attributes, and a path disconnected and reconnected through
 * its MBean while the other path carries the demo device's IO.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JmxIT extends ApplianceTestSupport {

    private static final String[] NONE = new String[0];

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        Await.value(
                () -> condition.holds() ? Boolean.TRUE : null,
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(100),
                () -> what + " within " + TIMEOUT_MS + " ms");
    }

    private static Set<ObjectName> names(MBeanServer mbeans, String pattern) throws Exception {
        return mbeans.queryNames(new ObjectName(pattern), null);
    }

    /** The MBean of the demo's path with that uuid, under whatever name the path has now. */
    private static ObjectName path(MBeanServer mbeans, String uuid) throws Exception {
        for (ObjectName n : names(mbeans, "dev.rtrs:type=ClientPath,session=demo,*")) {
            if (uuid.equals(mbeans.getAttribute(n, "Uuid"))) {
                return n;
            }
        }
        return null;
    }

    private static Object attributeOf(MBeanServer mbeans, ObjectName name, String attribute) {
        try {
            return mbeans.getAttribute(name, attribute);
        } catch (Exception e) {
            // the MBean went between the query and the read: the path is being renamed or replaced
            return null;
        }
    }

    private static Object attribute(MBeanServer mbeans, String uuid, String attribute) throws Exception {
        ObjectName n = path(mbeans, uuid);
        return n == null ? null : mbeans.getAttribute(n, attribute);
    }

    @Test
    public void theDemoHasItsMBeansWithAttributesAndOperations() throws Exception {
        MBeanServer mbeans = awaitService(MBeanServer.class, null);
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        await(
                "the demo's MBeans",
                () -> names(mbeans, "dev.rtrs:type=ClientPath,session=demo,*").size() == 2
                        && !names(mbeans, "dev.rtrs:type=MappedDevice,name=demo")
                                .isEmpty()
                        && !names(mbeans, "dev.rtrs:type=Export,name=demo").isEmpty()
                        && !names(mbeans, "dev.rtrs:type=ServerSession,name=demo")
                                .isEmpty());
        ObjectName session = new ObjectName("dev.rtrs:type=ClientSession,name=demo");
        assertEquals("CONNECTED", mbeans.getAttribute(session, "State"));
        assertEquals(
                Set.of("127.0.0.1", "127.0.0.2"),
                names(mbeans, "dev.rtrs:type=ClientPath,session=demo,*").stream()
                        .map(n -> {
                            try {
                                String destination = (String) mbeans.getAttribute(n, "Destination");
                                return destination.substring(0, destination.lastIndexOf(':'));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        })
                        .collect(Collectors.toSet()));
        CompositeData[] serverPaths =
                (CompositeData[]) mbeans.getAttribute(new ObjectName("dev.rtrs:type=ServerSession,name=demo"), "Paths");
        assertEquals(2, serverPaths.length);
        ObjectName export = new ObjectName("dev.rtrs:type=Export,name=demo");
        assertEquals("memory", mbeans.getAttribute(export, "Backend"));
        assertEquals(true, mbeans.getAttribute(export, "Available"));
        assertEquals(256L << 20, mbeans.getAttribute(export, "Size"));

        // IO on the demo device, checked block by block, while one path goes and comes back through its MBean
        // by its destination: the name key is quoted while the path's source is not known yet
        await(
                "both client paths connected",
                () -> names(mbeans, "dev.rtrs:type=ClientPath,session=demo,*").stream()
                        .allMatch(n -> "CONNECTED".equals(attributeOf(mbeans, n, "State"))));
        ObjectName second = names(mbeans, "dev.rtrs:type=ClientPath,session=demo,*").stream()
                .filter(n ->
                        String.valueOf(attributeOf(mbeans, n, "Destination")).startsWith("127.0.0.2:"))
                .findFirst()
                .orElseThrow();
        String uuid = (String) mbeans.getAttribute(second, "Uuid");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ios = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread load = new Thread(() -> verifiedLoad(demo, running, ios, failure), "jmx-it-load");
        load.start();
        try {
            await("IO under way", () -> ios.get() > 20);
            String disconnected = (String) mbeans.invoke(second, "disconnect", new Object[0], NONE);
            assertTrue(disconnected, disconnected.startsWith("Disconnected path "));
            await("the path closed", () -> "CLOSED".equals(attribute(mbeans, uuid, "State")));
            long before = ios.get();
            await("IO over the other path", () -> ios.get() > before + 50);
            String reconnected = (String) mbeans.invoke(path(mbeans, uuid), "reconnect", new Object[0], NONE);
            assertTrue(reconnected, reconnected.startsWith("Reconnected path "));
            await("the path connected", () -> "CONNECTED".equals(attribute(mbeans, uuid, "State")));
            long after = ios.get();
            await("IO after the reconnect", () -> ios.get() > after + 50);
        } finally {
            running.set(false);
            load.join(TIMEOUT_MS);
        }
        assertEquals(null, failure.get());

        ObjectName device = new ObjectName("dev.rtrs:type=MappedDevice,name=demo");
        assertEquals("MAPPED", mbeans.getAttribute(device, "State"));
        assertTrue((Long) mbeans.getAttribute(device, "Writes") >= ios.get() / 2);
        assertEquals(0L, mbeans.getAttribute(device, "Errors"));
        long[] latencies = (long[]) mbeans.getAttribute(device, "LatencyCounts");
        assertTrue(Arrays.toString(latencies), Arrays.stream(latencies).sum() >= ios.get());

        String reset = (String) mbeans.invoke(session, "resetStatistics", new Object[0], NONE);
        assertTrue(reset, reset.contains("demo"));
        assertEquals(0L, attribute(mbeans, uuid, "Writes"));
    }

    /** Writes a block, reads it back and compares, until told to stop; records the first failure. */
    private static void verifiedLoad(
            BlockDevice demo, AtomicBoolean running, AtomicLong ios, AtomicReference<String> failure) {
        byte[] pattern = new byte[4096];
        try {
            for (long i = 0; running.get(); i++) {
                long offset = (i % 256) * pattern.length;
                Arrays.fill(pattern, (byte) i);
                CompletableFuture<Integer> w = new CompletableFuture<>();
                demo.write(offset, ByteBuffer.wrap(pattern), 0, w::complete);
                int errno = w.get(30, TimeUnit.SECONDS);
                ByteBuffer back = ByteBuffer.allocate(pattern.length);
                CompletableFuture<Integer> r = new CompletableFuture<>();
                demo.read(offset, back, r::complete);
                int readErrno = r.get(30, TimeUnit.SECONDS);
                if (errno != 0 || readErrno != 0 || !Arrays.equals(pattern, back.array())) {
                    failure.compareAndSet(null, "block " + i + ": write errno " + errno + ", read errno " + readErrno);
                    return;
                }
                ios.addAndGet(2);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e.toString());
        }
    }
}
