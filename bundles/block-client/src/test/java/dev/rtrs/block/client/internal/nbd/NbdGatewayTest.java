package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockDevice;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway against hand-made clients, hostile ones included (real NBD tools: RnbdNbdToolsTest). */
@Timeout(180)
class NbdGatewayTest {

    private static final int SIZE = 8 * 1024 * 1024;

    private final Map<String, BlockDevice> devices = new ConcurrentHashMap<>();
    private NbdServer server;
    private ArrayDevice demo;

    @BeforeEach
    void start() throws Exception {
        demo = new ArrayDevice("demo", SIZE, false);
        devices.put("demo", demo);
        devices.put("ro", new ArrayDevice("ro", 1024 * 1024, true));
        server = new NbdServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), new NbdExports() {
            @Override
            public List<BlockDevice> list() {
                return List.copyOf(devices.values());
            }

            @Override
            public BlockDevice find(String name) {
                return devices.get(name);
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ---- hostile clients ----

    private static Socket connect(NbdServer s) throws Exception {
        Socket socket = new Socket("127.0.0.1", s.localAddress().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads the greeting and sends the fixed-newstyle client flags. */
    private static void greet(DataInputStream in, DataOutputStream out) throws Exception {
        assertEquals(Nbd.INIT_MAGIC, in.readLong());
        assertEquals(Nbd.OPTION_MAGIC, in.readLong());
        assertEquals(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES, in.readUnsignedShort());
        out.writeInt(Nbd.CLIENT_FLAG_FIXED_NEWSTYLE | Nbd.CLIENT_FLAG_NO_ZEROES);
    }

    private static void option(DataOutputStream out, int option, byte[] data) throws Exception {
        out.writeLong(Nbd.OPTION_MAGIC);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    /** Reads one option reply; returns its type and skips its data. */
    private static int replyType(DataInputStream in, int option) throws Exception {
        assertEquals(Nbd.REPLY_MAGIC, in.readLong());
        assertEquals(option, in.readInt());
        int type = in.readInt();
        in.skipNBytes(in.readInt());
        return type;
    }

    private static byte[] go(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + n.length + 2)
                .putInt(n.length)
                .put(n)
                .putShort((short) 0)
                .array();
    }

    @Test
    void unknownOptionsAndExportsAreRefusedAndTheConnectionGoesOn() throws Exception {
        try (Socket s = connect(server)) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            greet(in, out);
            option(out, 42, new byte[3]);
            assertEquals(Nbd.REP_ERR_UNSUP, replyType(in, 42));
            option(out, Nbd.OPT_GO, go("nope"));
            assertEquals(Nbd.REP_ERR_UNKNOWN, replyType(in, Nbd.OPT_GO));
            option(out, Nbd.OPT_GO, new byte[] {0, 0, 0, 9, 1});
            assertEquals(Nbd.REP_ERR_INVALID, replyType(in, Nbd.OPT_GO));
            option(out, Nbd.OPT_GO, go("demo"));
            int type;
            while ((type = replyType(in, Nbd.OPT_GO)) == Nbd.REP_INFO) {
                // export, block size
            }
            assertEquals(Nbd.REP_ACK, type);
            // a read past the end, then a misaligned one: EINVAL, the connection stays usable
            request(out, Nbd.CMD_READ, 1, SIZE, 512);
            assertReply(in, 1, Nbd.EINVAL);
            request(out, Nbd.CMD_READ, 2, 100, 512);
            assertReply(in, 2, Nbd.EINVAL);
            request(out, Nbd.CMD_READ, 3, 0, 512);
            assertReply(in, 3, 0);
            in.skipNBytes(512);
            request(out, Nbd.CMD_DISC, 4, 0, 0);
        }
    }

    @Test
    void writesToAReadOnlyExportFailWithEperm() throws Exception {
        try (Socket s = connect(server)) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            greet(in, out);
            option(out, Nbd.OPT_EXPORT_NAME, "ro".getBytes(StandardCharsets.UTF_8));
            assertEquals(1024 * 1024, in.readLong());
            int flags = in.readUnsignedShort();
            assertTrue((flags & Nbd.TX_READ_ONLY) != 0);
            request(out, Nbd.CMD_WRITE, 9, 0, 512);
            out.write(new byte[512]);
            out.flush();
            assertReply(in, 9, Nbd.EPERM);
        }
    }

    @Test
    void garbageClosesOnlyThatConnection() throws Exception {
        try (Socket bad = connect(server)) {
            DataInputStream in = new DataInputStream(bad.getInputStream());
            DataOutputStream out = new DataOutputStream(bad.getOutputStream());
            greet(in, out);
            // one write: the gateway may hang up as soon as it has seen the bad magic
            out.write(
                    ByteBuffer.allocate(16).putLong(0x1234).putInt(1).putInt(0).array());
            out.flush();
            assertClosed(in, "the gateway hangs up on a client that breaks the protocol");
        }
        try (Socket huge = connect(server)) {
            DataInputStream in = new DataInputStream(huge.getInputStream());
            DataOutputStream out = new DataOutputStream(huge.getOutputStream());
            greet(in, out);
            out.write(ByteBuffer.allocate(16)
                    .putLong(Nbd.OPTION_MAGIC)
                    .putInt(Nbd.OPT_GO)
                    .putInt(Integer.MAX_VALUE)
                    .array());
            out.flush();
            assertClosed(in, "an oversized option is refused without reading it");
        }
        try (Socket fine = connect(server)) {
            greet(new DataInputStream(fine.getInputStream()), new DataOutputStream(fine.getOutputStream()));
        }
    }

    /** End of stream or a reset: both say the gateway closed the connection. */
    private static void assertClosed(DataInputStream in, String why) throws Exception {
        try {
            assertEquals(-1, in.read(), why);
        } catch (SocketException reset) {
            // closed with our unread bytes in its buffer: the kernel answers with a reset
        }
    }

    private static void request(DataOutputStream out, int type, long handle, long offset, int length) throws Exception {
        out.writeInt(Nbd.REQUEST_MAGIC);
        out.writeShort(0);
        out.writeShort(type);
        out.writeLong(handle);
        out.writeLong(offset);
        out.writeInt(length);
        out.flush();
    }

    private static void assertReply(DataInputStream in, long handle, int error) throws Exception {
        assertEquals(Nbd.SIMPLE_REPLY_MAGIC, in.readInt());
        assertEquals(error, in.readInt());
        assertEquals(handle, in.readLong());
    }

    @Test
    void flushAndMultiConnAreAdvertised() {
        int flags = NbdTransmission.transmissionFlags(demo, NbdHeaderMode.SIMPLE);
        assertTrue((flags & Nbd.TX_CAN_MULTI_CONN) != 0);
        assertTrue((flags & Nbd.TX_SEND_FLUSH) != 0);
        assertTrue((flags & Nbd.TX_SEND_TRIM) != 0);
        assertEquals(0, flags & Nbd.TX_READ_ONLY);
        assertTrue(Arrays.asList(devices.keySet().toArray()).contains("demo"));
    }
}
