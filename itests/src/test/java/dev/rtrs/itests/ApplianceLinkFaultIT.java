package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A server appliance and a client appliance in network namespaces of their own, joined by two real links (veth
 * pairs), hurt the way storage is hurt while fio writes and verifies through the client's NBD gateway: a link goes
 * down and comes back, a link goes silent (its packets dropped, nothing closed), the server process is stopped and
 * started. fio must see no error and no corrupted block; the worst IO latency across each event is printed as a
 * {@code RESULT} line and must stay within the bound the heartbeat defaults promise.
 */
public class ApplianceLinkFaultIT {

    private static final int PORT = 1234;
    /** The heartbeat's defaults (500 ms x 3 misses) find a silent path within 2.5 s; fail-over adds little. */
    private static final long PAUSE_BOUND_MS = 3_500;

    private static NetworkNamespaces namespaces;
    private static UnpackedAppliance server;
    private static UnpackedAppliance client;

    @BeforeClass
    public static void start() throws Exception {
        NetworkNamespaces.assumeAvailable();
        Path root = Paths.get("target/linkfault").toAbsolutePath();
        namespaces = new NetworkNamespaces();
        server = UnpackedAppliance.unpack(root.resolve("server")).inNamespace(namespaces.server);
        client = UnpackedAppliance.unpack(root.resolve("client")).inNamespace(namespaces.client);

        // the server serves one file export on both links and maps nothing
        Files.delete(server.home.resolve("etc/dev.rtrs.block.client.MappedDevice-demo.cfg"));
        server.setProperty(
                "etc/dev.rtrs.block.server.RnbdServer.cfg",
                "addresses",
                NetworkNamespaces.serverAddress(1) + "," + NetworkNamespaces.serverAddress(2));
        server.setProperty("etc/dev.rtrs.block.server.RnbdServer.cfg", "port", Integer.toString(PORT));
        Path disk = server.home.resolve("storage/disk.img");
        Files.createDirectories(disk.getParent());
        Files.writeString(
                server.home.resolve("etc/dev.rtrs.block.server.Export-disk.cfg"),
                "name = disk\nbackend = file\nparameters = path=" + disk + ",create=true,size=256M\n");

        // the client serves nothing and maps the export over both links
        Files.delete(client.home.resolve("etc/dev.rtrs.block.server.RnbdServer.cfg"));
        Files.delete(client.home.resolve("etc/dev.rtrs.block.server.Export-demo.cfg"));
        String mapping = "etc/dev.rtrs.block.client.MappedDevice-demo.cfg";
        client.setProperty(mapping, "name", "disk");
        client.setProperty(mapping, "session", "disk");
        client.setProperty(mapping, "devicePath", "disk");
        client.setProperty(
                mapping, "paths", NetworkNamespaces.serverAddress(1) + ";" + NetworkNamespaces.serverAddress(2));
        client.setProperty(mapping, "port", Integer.toString(PORT));

        server.start();
        client.start();
        client.awaitNbdExport("disk", UnpackedAppliance.BOOT_TIMEOUT_MS);
        awaitBothPaths();
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            try {
                if (server != null) {
                    server.close();
                }
            } finally {
                if (namespaces != null) {
                    namespaces.close();
                }
            }
        }
    }

    /** Waits until the client's session has both paths connected. */
    private static void awaitBothPaths() throws Exception {
        client.awaitShell("rtrs:sessions", Pattern.compile("(?s)(CONNECTED.*){2}.*CONNECTED"), 60_000);
    }

    @Test
    public void aLinkGoesDownAndComesBack() throws Exception {
        FioRun run = FioRun.start(client, "link-down", 24);
        Thread.sleep(5_000);
        namespaces.linkDown(2);
        Thread.sleep(8_000);
        namespaces.linkUp(2);
        run.awaitAndCheck();
        awaitBothPaths();
    }

    @Test
    public void aLinkGoesSilent() throws Exception {
        FioRun run = FioRun.start(client, "silent-path", 24);
        Thread.sleep(5_000);
        namespaces.silence(1);
        Thread.sleep(8_000);
        namespaces.unsilence();
        run.awaitAndCheck();
        awaitBothPaths();
    }

    @Test
    public void theServerProcessIsStoppedAndStarted() throws Exception {
        FioRun run = FioRun.start(client, "server-restart", 40);
        Thread.sleep(4_000);
        server.stop();
        Thread.sleep(2_000);
        server.start();
        // IO waits for the server (up to the mapping's IO timeout), then carries on and verifies what came before
        run.awaitAndCheck(TimeUnit.SECONDS.toMillis(30));
        awaitBothPaths();
    }

    /** fio writing and verifying through the client's NBD gateway, with its JSON report. */
    private static final class FioRun {
        private final String name;
        private final Process process;
        private final Path output;

        private FioRun(String name, Process process, Path output) {
            this.name = name;
            this.process = process;
            this.output = output;
        }

        static FioRun start(UnpackedAppliance client, String name, int seconds) throws Exception {
            Path output = client.home.resolve("../fio-" + name + ".json");
            Files.deleteIfExists(output);
            ProcessBuilder pb = new ProcessBuilder(
                            "ip",
                            "netns",
                            "exec",
                            client.namespaceName(),
                            "fio",
                            "--name=" + name,
                            "--ioengine=nbd",
                            "--uri=" + client.nbdUri("disk"),
                            "--rw=randwrite",
                            "--bs=4k",
                            "--size=64m",
                            "--iodepth=16",
                            "--verify=crc32c",
                            "--verify_backlog=512",
                            "--verify_fatal=1",
                            "--verify_state_save=0",
                            "--time_based",
                            "--runtime=" + seconds,
                            "--output-format=json",
                            "--output=" + output)
                    .redirectErrorStream(true)
                    .redirectOutput(
                            client.home.resolve("../fio-" + name + ".log").toFile());
            return new FioRun(name, pb.start(), output);
        }

        void awaitAndCheck() throws Exception {
            awaitAndCheck(PAUSE_BOUND_MS);
        }

        void awaitAndCheck(long pauseBoundMs) throws Exception {
            assertTrue(name + ": fio still runs", process.waitFor(180, TimeUnit.SECONDS));
            String json = Files.exists(output) ? Files.readString(output) : "(no report)";
            assertEquals(name + ": fio failed (IO error or verify failure)\n" + json, 0, process.exitValue());
            assertTrue(name + ": fio reports an error\n" + json, json.contains("\"error\" : 0"));
            long worstNs = 0;
            Matcher m = Pattern.compile("\"clat_ns\"\\s*:\\s*\\{[^}]*?\"max\"\\s*:\\s*(\\d+)")
                    .matcher(json);
            while (m.find()) {
                worstNs = Math.max(worstNs, Long.parseLong(m.group(1)));
            }
            long worstMs = TimeUnit.NANOSECONDS.toMillis(worstNs);
            System.out.println("RESULT " + name + " worst_io_latency_ms=" + worstMs);
            assertTrue(name + ": worst IO latency " + worstMs + " ms", worstMs > 0 && worstMs < pauseBoundMs);
        }
    }
}
