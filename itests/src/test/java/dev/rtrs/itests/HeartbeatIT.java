package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Heartbeat;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Set;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The heartbeat bundle in the packaged appliance, replaced while the demo device carries a write-then-verify
 * workload: updated in place, stopped and started, and reconfigured. The core answers heartbeats by itself, so no
 * path of the demo session, on the client or the server side, may go down, no IO may fail and no block may be
 * wrong; and round-trip times are measured again once the monitor is back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HeartbeatIT extends ApplianceTestSupport {

    private static final String HEARTBEAT_BUNDLE = "dev.rtrs.heartbeat";

    @Inject
    protected ConfigurationAdmin configurationAdmin;

    private ClientSession demoSession(RtrsAdmin admin) {
        return admin.clientSessions().stream()
                .filter(s -> s.name().equals("demo"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no demo session in " + admin.clientSessions()));
    }

    /** Every connected path of the demo session, client side and server side (both know it by one uuid). */
    private Set<String> connectedPaths(RtrsAdmin admin) {
        Set<String> paths = demoSession(admin).paths().stream()
                .filter(p -> p.state() == PathState.CONNECTED)
                .map(p -> "client " + p.uuid())
                .collect(Collectors.toSet());
        for (ServerEndpoint e : admin.servers()) {
            for (ServerSession s : e.sessions()) {
                if (s.name().equals("demo")) {
                    s.paths().stream()
                            .filter(p -> p.state() == PathState.CONNECTED)
                            .forEach(p -> paths.add("server " + p.uuid()));
                }
            }
        }
        return paths;
    }

    /** Waits until every path of the demo session has a round-trip time measured after {@code since}. */
    private void awaitRoundTrips(RtrsAdmin admin) throws Exception {
        Await.until(
                () -> demoSession(admin).paths().stream().allMatch(p -> p.roundTripNanos() > 0),
                Duration.ofMillis(TIMEOUT_MS),
                () -> "round-trip times never measured: " + demoSession(admin).paths());
    }

    @Test
    public void theHeartbeatBundleIsReplacedUnderIoWithoutAPathGoingDown() throws Exception {
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        RtrsAdmin admin = awaitService(RtrsAdmin.class, null);
        awaitService(Heartbeat.class, null);
        awaitRoundTrips(admin);
        Set<String> before = connectedPaths(admin);
        assertEquals("two client and two server paths: " + before, 4, before.size());
        BlockVerifiedLoad load = new BlockVerifiedLoad(demo, 4, 256, 1_000_000);

        // updated in place: the old monitor unwatches every path, the new one watches them again
        Bundle heartbeat = bundle(HEARTBEAT_BUNDLE);
        heartbeat.update();
        awaitService(Heartbeat.class, null);
        Thread.sleep(2_000);
        // stopped: paths run without liveness detection, and the peer's heartbeats are still answered
        heartbeat.stop();
        Thread.sleep(2_000);
        heartbeat.start();
        awaitService(Heartbeat.class, null);
        // reconfigured at runtime to a shorter interval
        Configuration config = configurationAdmin.getConfiguration("dev.rtrs.heartbeat.Heartbeat", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("intervalMs", 200);
        props.put("missedMax", 3);
        config.update(props);
        Thread.sleep(2_000);

        load.finish();
        assertEquals(load.summary(), 0, load.errors.get());
        assertEquals(load.summary(), 0, load.mismatches.get());
        assertTrue(load.summary(), load.ios.get() > 1000);
        assertEquals("no path went down or was replaced", before, connectedPaths(admin));
        for (PathInfo p : demoSession(admin).paths()) {
            assertEquals(p.name() + " never failed over", 0, p.statistics().failedOver());
        }
        awaitRoundTrips(admin);
    }
}
