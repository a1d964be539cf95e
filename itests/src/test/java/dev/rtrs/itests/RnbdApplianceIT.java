package dev.rtrs.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import dev.rtrs.verbs.VerbsProvider;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * The packaged appliance's demo: the RNBD server exports a memory device, the client maps it over two loopback
 * paths, the mapped device is a BlockDevice service and an NBD export.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RnbdApplianceIT extends ApplianceTestSupport {

    private static int sync(Consumer<CompletableFuture<Integer>> op) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        op.accept(f);
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    public void theDemoDeviceIsMappedAndMovesVerifiedData() throws Exception {
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        assertEquals(256L * 1024 * 1024, demo.size());
        byte[] data = new byte[1024 * 1024];
        new Random(5).nextBytes(data);
        assertEquals(0, sync(f -> demo.write(4096, ByteBuffer.wrap(data), BlockDevice.FUA, f::complete)));
        ByteBuffer back = ByteBuffer.allocate(data.length);
        assertEquals(0, sync(f -> demo.read(4096, back, f::complete)));
        assertArrayEquals(data, back.array());
        assertEquals(0, sync(f -> demo.flush(f::complete)));
    }

    @Test
    public void theTransportStatisticsAreOnJmx() throws Exception {
        awaitService(BlockDevice.class, "(rnbd.device=demo)");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.rtrs:type=Transport,name=Statistics");
        Await.until(() -> server.isRegistered(name), Duration.ofMillis(TIMEOUT_MS), name + " is not registered");
        CompositeData[] clients = (CompositeData[]) server.getAttribute(name, "ClientSessions");
        assertEquals(1, clients.length);
        assertEquals("demo", clients[0].get("name"));
        assertEquals(2, ((CompositeData[]) clients[0].get("paths")).length);
        CompositeData[] servers = (CompositeData[]) server.getAttribute(name, "ServerSessions");
        assertEquals("demo", servers[0].get("name"));
    }

    @Test
    public void theNbdGatewayServesTheDemoDevice() throws Exception {
        awaitService(BlockDevice.class, "(rnbd.device=demo)");
        int port = Integer.getInteger("it.nbdPort");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            assertEquals(0x4e42444d41474943L, in.readLong());
            assertEquals(0x49484156454f5054L, in.readLong());
            in.readUnsignedShort();
            out.writeInt(3);
            byte[] name = "demo".getBytes("UTF-8");
            out.writeLong(0x49484156454f5054L);
            out.writeInt(1); // NBD_OPT_EXPORT_NAME
            out.writeInt(name.length);
            out.write(name);
            out.flush();
            assertEquals(256L * 1024 * 1024, in.readLong());
        }
    }

    @Test
    public void theVerbsProviderBundleCanBeReplacedUnderTheRunningDemo() throws Exception {
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        byte[] data = new byte[4096];
        new Random(9).nextBytes(data);
        assertEquals(0, sync(f -> demo.write(8192, ByteBuffer.wrap(data), 0, f::complete)));
        Bundle tcp = bundle("dev.rtrs.verbs.tcp");
        assertNotNull(tcp);
        String location = tcp.getLocation();
        tcp.uninstall();
        Bundle again = bundleContext.installBundle(location);
        again.start();
        awaitService(VerbsProvider.class, "(rtrs.provider=tcp)");
        ByteBuffer back = ByteBuffer.allocate(4096);
        assertEquals(
                "IO waits for the reconnect and remap through the new provider",
                0,
                sync(f -> demo.read(8192, back, f::complete)));
        assertArrayEquals(data, back.array());
    }

    @Test
    public void aBackendUninstalledUnderOpenExportsFailsIoAndItsReinstallBringsThemBack() throws Exception {
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        Bundle memory = bundle("dev.rtrs.block.backend.memory");
        assertNotNull(memory);
        String location = memory.getLocation();
        memory.uninstall();
        assertEquals(
                "IO fails with EIO while the backend is gone",
                5,
                sync(f -> demo.read(0, ByteBuffer.allocate(4096), f::complete)));
        Bundle again = bundleContext.installBundle(location);
        again.start();
        awaitService(BlockBackend.class, "(rnbd.backend=memory)");
        Await.value(
                () -> sync(f -> demo.write(0, ByteBuffer.allocate(4096), 0, f::complete)) == 0 ? Boolean.TRUE : null,
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(100),
                () -> "the same mapping does not serve IO again, without a remap");
        assertTrue(executeCommandWithRetry("feature:list -i").contains("rnbd-backend-memory"));
    }
}
