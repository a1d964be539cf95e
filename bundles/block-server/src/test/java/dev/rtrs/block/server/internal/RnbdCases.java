package dev.rtrs.block.server.internal;

import dev.rtrs.block.protocol.RnbdClose;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdIo;
import dev.rtrs.block.protocol.RnbdOpen;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.block.protocol.RnbdSessInfo;
import dev.rtrs.block.protocol.RnbdSessInfoRsp;
import dev.rtrs.test.support.Mutator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * Cases of RNBD messages carried as the RTRS user header: valid ones from the project's codec, then fields set to
 * boundary values, unknown types, operations and flags, devices never opened, sectors past the end, sizes that do
 * not match the data, names that try to leave the search path. Each case knows whether it must be refused when it
 * can tell.
 */
final class RnbdCases {

    /** Exports a hostile session may write; everything else it may open read-only at most. */
    static final Set<String> WRITABLE = Set.of("fuzz");

    private static final int TYPE_IO = 4;
    private static final int OP_READ = 0;
    private static final int OP_WRITE = 1;
    private static final int KNOWN_FLAGS = 1 << 8 | 1 << 9;
    private static final String[] NAMES = {
        "fuzz",
        "mem",
        "mem-ro",
        "private",
        "nope",
        "../etc/passwd",
        "/etc/passwd",
        "a/../../b",
        ".",
        "..",
        "./fuzz",
        "fuzz/",
        "fuzz/..",
        "%SESSNAME%",
        "fuzz\n",
        "mem/../fuzz",
        "dir//x",
        "\u00e9t\u00e9",
        "a\\b",
        " "
    };

    private RnbdCases() {}

    // ---- IO ----

    static FuzzIo io(Mutator m, FuzzIo.Env env) {
        FuzzIo.Device dev = m.pick(env.devices());
        int deviceId = dev.id();
        boolean refuse = false;
        StringBuilder what = new StringBuilder("IO");
        if (m.chance(10)) {
            deviceId = m.chance(50) ? (int) m.boundary(4) : dev.id() + 1 + m.nextInt(1000);
            FuzzIo.Device named = device(env, deviceId);
            refuse = named == null;
            dev = named == null ? dev : named;
            what.append(" device ").append(Integer.toUnsignedString(deviceId));
        } else {
            what.append(" on ").append(dev.name());
        }
        int op = m.chance(80) ? m.pickInt(OP_READ, OP_WRITE) : m.nextInt(2, 8);
        if (m.chance(5)) {
            op = m.nextInt(6, 256);
        }
        int flags = m.chance(80) ? 0 : m.chance(50) ? m.pickInt(1 << 8, 1 << 9, KNOWN_FLAGS) : m.nextInt() & ~0xFF;
        if (op > 5 || (flags & ~KNOWN_FLAGS) != 0) {
            refuse = true;
        }
        int length = m.chance(70) ? 4096 * m.nextInt(1, env.maxIo() / 4096 + 1) : m.pickInt(0, 512, 513, 4095);
        long maxSector = Math.max(1, dev.sectors() - length / 512);
        long sector = m.chance(85) ? (m.nextInt((int) Math.min(Integer.MAX_VALUE, maxSector)) & ~7L) : m.boundary(8);
        // a flush names no range: its sector and size mean nothing
        if (op != 2 && (sector < 0 || sector + (length + 511) / 512 > dev.sectors())) {
            refuse = true;
        }
        boolean writes = op == OP_WRITE || op == 3 || op == 4 || op == 5;
        if (writes && !dev.writable()) {
            refuse = true;
        }
        what.append(" op ").append(op).append(" flags 0x").append(Integer.toHexString(flags));
        what.append(" sector ")
                .append(Long.toUnsignedString(sector))
                .append(" bi_size ")
                .append(length);
        byte[] header = new byte[RnbdIo.SIZE];
        Mutator.put(header, 0, 2, TYPE_IO);
        Mutator.put(header, 4, 4, deviceId);
        Mutator.put(header, 8, 8, sector);
        Mutator.put(header, 16, 4, op | flags);
        Mutator.put(header, 20, 4, length);
        Mutator.put(header, 24, 2, m.chance(90) ? 0 : m.boundary(2));
        Boolean verdict = refuse;
        int dataLength = length;
        if (m.chance(10)) {
            dataLength = m.chance(50) ? 0 : 512 * m.nextInt(1, env.maxIo() / 512 + 1);
            if (dataLength != length && (op == OP_READ || op == OP_WRITE)) {
                verdict = true;
            }
            what.append(" data ").append(dataLength);
        }
        if (m.chance(15)) {
            header = m.mutate(header);
            verdict = null;
            what.append(" mutated ").append(HexFormat.of().formatHex(header));
        }
        // the RTRS direction: as the operation says, or the other one
        boolean asWrite = writes;
        if (m.chance(5)) {
            asWrite = !asWrite;
            if (op == OP_READ || op == OP_WRITE) {
                verdict = verdict == null ? null : true;
            }
            what.append(" wrong direction");
        }
        dataLength = Math.min(dataLength, env.maxIo());
        if (writes && !dev.writable() && asWrite) {
            // never write through a device the good client uses: a success here would be a finding anyway
            dataLength = Math.min(dataLength, 512);
        }
        return asWrite
                ? FuzzIo.write(env, dataLength, header, header.length, verdict, what.toString())
                : FuzzIo.read(env, dataLength, header, verdict, what.toString());
    }

    // ---- OPEN ----

    static FuzzIo open(Mutator m, FuzzIo.Env env) {
        byte[] header = new byte[RnbdOpen.SIZE];
        Mutator.put(header, 0, 2, 2);
        int mode = m.chance(80) ? m.nextInt(3) : (int) m.boundary(1);
        byte[] name = name(m);
        String shown = new String(name, StandardCharsets.UTF_8);
        int nul = indexOfNul(name);
        String effective = nul < 0 ? shown : new String(name, 0, nul, StandardCharsets.UTF_8);
        if (!WRITABLE.contains(effective) && mode != 0) {
            // RW or MIGRATION of the good client's device would be granted by design: ask read-only
            mode = 0;
        }
        header[4] = (byte) mode;
        System.arraycopy(name, 0, header, 6, Math.min(name.length, RnbdOpen.NAME_FIELD_SIZE + 3));
        boolean refuse = mode > 2
                || effective.isEmpty()
                || name.length >= RnbdOpen.NAME_FIELD_SIZE && nul < 0
                || effective.startsWith("/")
                || Arrays.asList(effective.split("/")).contains("..");
        Boolean verdict = refuse ? Boolean.TRUE : null;
        int dataLength = RnbdOpenRsp.SIZE;
        if (m.chance(5)) {
            dataLength = m.pickInt(0, RnbdOpenRsp.SIZE - 1, 4096);
            verdict = dataLength < RnbdOpenRsp.SIZE ? Boolean.TRUE : verdict;
        }
        String what = "OPEN mode " + mode + " name '" + printable(shown) + "' (" + name.length + " bytes)";
        if (m.chance(10)) {
            header = m.mutate(header);
            verdict = null;
            what += " mutated";
        }
        return m.chance(3)
                ? FuzzIo.write(env, 0, header, header.length, true, what + " as WRITE")
                : FuzzIo.read(env, dataLength, header, verdict, what);
    }

    private static byte[] name(Mutator m) {
        return switch (m.nextInt(8)) {
            case 0 -> new byte[0];
            case 1 -> repeat('a', m.pickInt(1, 254, 255, 256, 300));
            case 2 -> (m.pick(NAMES) + "\0" + m.pick(NAMES)).getBytes(StandardCharsets.UTF_8);
            case 3 -> new byte[] {(byte) 0xC3, (byte) 0x28, 'x'};
            case 4 -> m.bytes(1 + m.nextInt(40));
            default -> m.pick(NAMES).getBytes(StandardCharsets.UTF_8);
        };
    }

    private static byte[] repeat(char c, int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() > 60 ? b.substring(0, 60) + "..." : b.toString();
    }

    // ---- CLOSE ----

    static FuzzIo close(Mutator m, FuzzIo.Env env) {
        int id;
        do {
            id = m.chance(50) ? (int) m.boundary(4) : m.nextInt(1 << 16);
        } while (isOpen(env, id));
        byte[] header = new byte[RnbdClose.SIZE];
        Mutator.put(header, 0, 2, 5);
        Mutator.put(header, 4, 4, id);
        String what = "CLOSE device " + Integer.toUnsignedString(id);
        if (m.chance(20)) {
            header = m.mutate(header);
            int type = header.length >= 2 ? (int) Mutator.get(header, 0, 2) : -1;
            boolean mine = header.length >= 8 && isOpen(env, (int) Mutator.get(header, 4, 4));
            if (type == 5 && mine) {
                // keep the session's own devices open for the cases that follow
                Mutator.put(header, 4, 4, id);
            }
            what += " mutated " + HexFormat.of().formatHex(header);
        }
        // the kernel answers a CLOSE of an unknown id with success: either answer is fine
        return m.chance(50)
                ? FuzzIo.write(env, 0, header, header.length, null, what)
                : FuzzIo.read(env, 0, header, null, what);
    }

    private static boolean isOpen(FuzzIo.Env env, int id) {
        return device(env, id) != null;
    }

    private static FuzzIo.Device device(FuzzIo.Env env, int id) {
        return env.devices().stream().filter(d -> d.id() == id).findFirst().orElse(null);
    }

    // ---- anything else as a header ----

    static FuzzIo raw(Mutator m, FuzzIo.Env env) {
        byte[] header;
        String what;
        Boolean verdict = null;
        switch (m.nextInt(6)) {
            case 0 -> {
                header = new byte[RnbdSessInfo.SIZE];
                RnbdCodec.encode(new RnbdSessInfo(m.nextInt(256)), ByteBuffer.wrap(header), 0);
                what = "SESS_INFO version " + header[4];
            }
            case 1 -> {
                header = new byte[RnbdOpenRsp.SIZE];
                Mutator.put(header, 0, 2, 3);
                what = "OPEN_RSP from a client";
                verdict = true;
            }
            case 2 -> {
                header = new byte[RnbdSessInfoRsp.SIZE];
                Mutator.put(header, 0, 2, 1);
                what = "SESS_INFO_RSP from a client";
                verdict = true;
            }
            case 3 -> {
                header = m.bytes(m.nextInt(0, 300));
                if (header.length >= 2) {
                    Mutator.put(header, 0, 2, 6 + m.nextInt(0xFFFF - 6));
                }
                what = "unknown type, " + header.length + " bytes";
                verdict = true;
            }
            case 4 -> {
                header = new byte[m.nextInt(0, 4)];
                what = "truncated header of " + header.length + " bytes";
                verdict = true;
            }
            default -> {
                byte[] io = new byte[RnbdIo.SIZE];
                Mutator.put(io, 0, 2, TYPE_IO);
                header = Arrays.copyOf(io, m.nextInt(4, RnbdIo.SIZE));
                what = "IO truncated to " + header.length + " bytes";
                verdict = header.length < 26 ? Boolean.TRUE : null;
            }
        }
        if (m.chance(20)) {
            header = m.mutate(header);
            verdict = null;
            what += " mutated";
        }
        what += " " + HexFormat.of().formatHex(header, 0, Math.min(header.length, 24));
        int dataLength = m.chance(70) ? m.pickInt(0, 36, 512) : 512 * m.nextInt(0, env.maxIo() / 512 + 1);
        return m.chance(50)
                ? FuzzIo.write(env, dataLength, header, header.length, verdict, what + " as WRITE")
                : FuzzIo.read(env, dataLength, header, verdict, what + " as READ");
    }
}
