package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.ObjectName;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * One appliance's RNBD server under 32 client sessions of two paths each, all set up from the shell as an operator
 * would (an export and a mapping per session) and all running a write-then-verify workload at once for a bounded
 * time. Throughout, the shell must answer its listings within 2 s; at the end no IO may have failed, no block may be
 * wrong, every session must have made progress (none starved), and the heap after a full collection must be back
 * within a stated bound of where it was: after the load with the sessions still up, and after they are all unmapped.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ManySessionsLoadIT extends ApplianceTestSupport {

    private static final int SESSIONS = 32;
    private static final long LOAD_MS = 40_000;
    private static final long SHELL_ANSWER_MS = 2_000;
    /** Growth of the heap after a full collection that the test accepts: caches and JIT'd code, not a leak. */
    private static final long HEAP_BOUND_BYTES = 48L << 20;

    @Override
    protected List<Option> extraOptions() {
        // 32 chunks of 128 KiB per path: 32 sessions x 2 paths hold 256 MiB of the server's chunk memory
        return List.of(editConfigurationFilePut("etc/dev.rtrs.block.server.RnbdServer.cfg", "queueDepth", "32"));
    }

    private static long heapAfterFullCollection() throws InterruptedException {
        long used = Long.MAX_VALUE;
        // several rounds: what a round frees may let the next free more (finalizers, soft references' queues)
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** The JVM's class histogram of live objects, its first {@code lines} lines: what holds the heap. */
    private static String heapHistogram(int lines) throws Exception {
        Object out = ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "gcClassHistogram",
                        new Object[] {null},
                        new String[] {String[].class.getName()});
        return String.join("\n", String.valueOf(out).lines().limit(lines).toList());
    }

    private static void assertHeapWithinBound(String when, long before, long after) throws Exception {
        if (after > before + HEAP_BOUND_BYTES) {
            throw new AssertionError("heap after a full collection " + when + ": " + (before >> 20) + " -> "
                    + (after >> 20) + " MiB, more than " + (HEAP_BOUND_BYTES >> 20) + " MiB of growth; what holds it:\n"
                    + heapHistogram(40));
        }
    }

    /** Runs the operator's listings and returns the slowest answer in milliseconds. */
    private long slowestListing() throws Exception {
        long slowest = 0;
        for (String command : List.of("rtrs:sessions", "rtrs:servers", "rnbd:devices", "rnbd:exports")) {
            long start = System.nanoTime();
            String out = executeCommand(command);
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
            assertTrue(command + " printed nothing", !out.isBlank());
        }
        return slowest;
    }

    @Test
    public void thirtyTwoSessionsOfTwoPathsRunAtOnceWithoutStarvingTheShellOrLeaking() throws Exception {
        awaitService(BlockDevice.class, "(rnbd.device=demo)");
        String port = System.getProperty("it.rnbdPort");
        long heapBeforeSessions = heapAfterFullCollection();

        List<BlockDevice> devices = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            String name = "load" + i;
            executeCommandWithRetry("rnbd:add-export -o size=16M " + name);
            executeCommand("rnbd:map --session " + name + " --path 127.0.0.1 --path 127.0.0.2 --port " + port + " "
                    + name + " " + name);
            devices.add(awaitService(BlockDevice.class, "(rnbd.device=" + name + ")"));
        }
        String sessions = executeCommand("rtrs:sessions");
        for (int i = 0; i < SESSIONS; i++) {
            assertTrue(sessions, sessions.matches("(?s).*\\bload" + i + "\\s*\\|\\s*CONNECTED.*"));
        }
        long heapBeforeLoad = heapAfterFullCollection();

        List<BlockVerifiedLoad> loads = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            loads.add(new BlockVerifiedLoad(devices.get(i), 1, 256, 1_000_000));
        }
        long slowest = 0;
        int listings = 0;
        long end = System.currentTimeMillis() + LOAD_MS;
        while (System.currentTimeMillis() < end) {
            slowest = Math.max(slowest, slowestListing());
            listings++;
            Thread.sleep(1_000);
        }
        for (BlockVerifiedLoad load : loads) {
            load.finish();
        }

        long total = 0;
        long least = Long.MAX_VALUE;
        for (int i = 0; i < SESSIONS; i++) {
            BlockVerifiedLoad load = loads.get(i);
            assertEquals("load" + i + ": " + load.summary(), 0, load.errors.get());
            assertEquals("load" + i + ": " + load.summary(), 0, load.mismatches.get());
            total += load.ios.get();
            least = Math.min(least, load.ios.get());
        }
        String figures = SESSIONS + " sessions, " + total + " IOs in " + LOAD_MS + " ms, the least busy session "
                + least + " IOs; " + listings + " rounds of 4 listings, the slowest " + slowest + " ms";
        System.out.println("ManySessionsLoadIT: " + figures);
        assertTrue("every session made progress: " + figures, least >= 100);
        assertTrue("the shell answered within " + SHELL_ANSWER_MS + " ms: " + figures, slowest <= SHELL_ANSWER_MS);

        long heapAfterLoad = heapAfterFullCollection();
        System.out.println("ManySessionsLoadIT: heap after full collection: " + (heapBeforeSessions >> 20)
                + " MiB before the sessions, " + (heapBeforeLoad >> 20) + " MiB before the load, "
                + (heapAfterLoad >> 20) + " MiB after it; "
                + ((heapBeforeLoad - heapBeforeSessions) / SESSIONS >> 10) + " KiB per session");
        assertHeapWithinBound("after the load, against before it", heapBeforeLoad, heapAfterLoad);

        for (int i = 0; i < SESSIONS; i++) {
            executeCommand("rnbd:unmap load" + i);
            executeCommand("rnbd:remove-export load" + i);
        }
        // sessions close in the background once unmapped: wait until the listing shows only the demo's
        loads.clear();
        devices.clear();
        String[] listed = {""};
        Await.value(
                () -> {
                    listed[0] = executeCommand("rtrs:sessions") + executeCommand("rtrs:servers");
                    return listed[0].contains("load") ? null : listed[0];
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(200),
                () -> "the load sessions are still listed:\n" + listed[0]);
        long heapAfterUnmap = heapAfterFullCollection();
        System.out.println("ManySessionsLoadIT: " + (heapAfterUnmap >> 20) + " MiB after every session is unmapped");
        assertHeapWithinBound("with the sessions gone, against before them", heapBeforeSessions, heapAfterUnmap);
    }
}
