package dev.rtrs.block.server.internal;

import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdIo;
import dev.rtrs.test.support.Mutator;
import dev.rtrs.transport.core.internal.wire.ConReq;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.ImmType;
import dev.rtrs.transport.core.internal.wire.InfoReq;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsProtocol;
import dev.rtrs.transport.core.internal.wire.SgDesc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Cases of the RTRS layer: CON_REQ private data, INFO_REQ, immediates, RDMA writes with wrong keys or outside the
 * chunks, and WRITE/READ messages with lengths, descriptor counts, flags and user headers that do not fit.
 */
final class RtrsCases {

    private RtrsCases() {}

    /** A connect request and whether the server must refuse it. */
    record Connect(byte[] privateData, Boolean refuse, String what) {}

    /** A valid CON_REQ of a new session (first connection of a path of {@code cidNum}). */
    static byte[] conReq(Mutator m, int cid, int cidNum, boolean first) {
        return RtrsCodec.encode(new ConReq(
                RtrsProtocol.MAGIC,
                RtrsProtocol.VERSION,
                cid,
                cidNum,
                0,
                new UUID(m.nextLong(), m.nextLong()),
                new UUID(m.nextLong(), m.nextLong()),
                first));
    }

    static Connect connect(Mutator m) {
        byte[] b = conReq(m, 0, 1, true);
        String what;
        switch (m.nextInt(5)) {
            case 0 -> {
                int field = m.pickInt(2, 4, 6, 8, 10);
                m.boundaryField(b, field, 2);
                what = "field @" + field + " = " + Mutator.get(b, field, 2);
            }
            case 1 -> {
                b[44] = (byte) m.boundary(1);
                what = "flags " + (b[44] & 0xFF);
            }
            case 2 -> {
                b = Arrays.copyOf(b, m.nextInt(0, b.length));
                what = "truncated to " + b.length;
            }
            case 3 -> {
                b[m.nextInt(45, 56)] = (byte) (1 + m.nextInt(255));
                b[m.nextInt(0, 2)] = (byte) m.boundary(1);
                what = "reserved bytes set";
            }
            default -> {
                b = m.mutate(b);
                what = "mutated";
            }
        }
        return new Connect(b, mustRefuse(b), what + " " + HexFormat.of().formatHex(b));
    }

    /**
     * True for the clear violations (size, magic, major version, cid/cid_num, unknown flags, no first connection);
     * null when the server may refuse by its own limits (many connections per path); false otherwise.
     */
    private static Boolean mustRefuse(byte[] b) {
        if (b.length < ConReq.SIZE) {
            return true;
        }
        int magic = (int) Mutator.get(b, 2, 2);
        int version = (int) Mutator.get(b, 4, 2);
        int cid = (int) Mutator.get(b, 6, 2);
        int cidNum = (int) Mutator.get(b, 8, 2);
        int flags = b[44] & 0xFF;
        boolean invalid = magic != RtrsProtocol.MAGIC
                || version >> 8 != RtrsProtocol.VERSION_MAJOR
                || cidNum == 0
                || cid >= cidNum
                || (flags & ~1) != 0
                || (flags & 1) == 0;
        return invalid ? Boolean.TRUE : cidNum > 1 ? null : Boolean.FALSE;
    }

    // ---- INFO_REQ ----

    /** INFO_REQ bytes, and whether they must be refused (a closed connection). */
    record Info(byte[] bytes, Boolean refuse, String what) {}

    static Info info(Mutator m) {
        byte[] b = new byte[InfoReq.SIZE];
        RtrsCodec.encode(new InfoReq("fuzz-info"), ByteBuffer.wrap(b), 0);
        String what;
        Boolean refuse;
        switch (m.nextInt(4)) {
            case 0 -> {
                byte[] name = m.pick(
                        "..".getBytes(StandardCharsets.UTF_8),
                        ".".getBytes(StandardCharsets.UTF_8),
                        "a/b".getBytes(StandardCharsets.UTF_8),
                        "/".getBytes(StandardCharsets.UTF_8),
                        "%SESSNAME%".getBytes(StandardCharsets.UTF_8),
                        new byte[] {'x', '\n', 'y'},
                        new byte[] {(byte) 0xFF, (byte) 0xFE},
                        new byte[0],
                        filled(255));
                Arrays.fill(b, 2, 2 + 255, (byte) 0);
                System.arraycopy(name, 0, b, 2, name.length);
                what = "session name '" + RnbdCases.printable(new String(name, StandardCharsets.UTF_8)) + "' ("
                        + name.length + " bytes)";
                String text = new String(name, StandardCharsets.UTF_8);
                // a session name becomes a directory name through %SESSNAME%: none that is not one may pass
                boolean bad = name.length == 0
                        || name[0] == (byte) 0xFF
                        || text.contains("/")
                        || text.equals(".")
                        || text.equals("..");
                refuse = bad ? Boolean.TRUE : name.length == 255 || name[0] == 'x' ? null : Boolean.FALSE;
            }
            case 1 -> {
                m.boundaryField(b, 0, 2);
                what = "type " + Mutator.get(b, 0, 2);
                refuse = Mutator.get(b, 0, 2) != 0;
            }
            case 2 -> {
                b = Arrays.copyOf(b, m.pickInt(0, 1, 2, 3, 100, 271, 273, 511, 512, 513, 1024));
                what = "length " + b.length;
                refuse = b.length < InfoReq.SIZE || b.length > 512;
            }
            default -> {
                b = m.mutate(b);
                what = "mutated " + HexFormat.of().formatHex(b, 0, Math.min(16, b.length));
                refuse = b.length < InfoReq.SIZE || b[0] != 0 || b[1] != 0 || b.length > 512 ? Boolean.TRUE : null;
            }
        }
        return new Info(b, refuse, what);
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'n');
        return b;
    }

    // ---- immediates ----

    /** A valid READ of the first device into this chunk, under an immediate that is not what it should be. */
    static FuzzIo imm(Mutator m, FuzzIo.Env env) {
        FuzzIo valid = FuzzIo.read(env, 4096, ioHeader(env, 0, 4096, 0), null, "READ 4096");
        int memBits = env.memBits();
        int maxBufId = (1 << (28 - memBits)) - 1;
        switch (m.nextInt(6)) {
            case 0 -> {
                int type = m.nextInt(16);
                int imm = type << 28 | (valid.imm() & 0x0FFFFFFF);
                boolean heartbeat = type == ImmType.HB_MSG.wireValue() || type == ImmType.HB_ACK.wireValue();
                return valid.withImm(imm, type == 0 ? null : !heartbeat, !heartbeat, "immediate type " + type);
            }
            case 1 -> {
                int bufId = m.chance(50)
                        ? env.queueDepth() + m.nextInt(Math.max(1, maxBufId - env.queueDepth() + 1))
                        : maxBufId;
                bufId = Math.min(bufId, maxBufId);
                int imm = Imm.ioRequest(bufId, 4096 + 32, memBits);
                return valid.withImm(imm, bufId >= env.queueDepth(), true, "chunk id " + bufId);
            }
            case 2 -> {
                int offset = m.pickInt(
                        0,
                        1,
                        3,
                        env.chunkSize() - 4,
                        env.chunkSize() - 3,
                        env.chunkSize() - 1,
                        env.chunkSize(),
                        (1 << memBits) - 1);
                offset &= (1 << memBits) - 1;
                int imm = Imm.ioRequest(env.chunk(), offset, memBits);
                return valid.withImm(imm, offset > env.chunkSize() - 4 ? Boolean.TRUE : null, true, "offset " + offset);
            }
            case 3 -> {
                int other = (env.chunk() + 1 + m.nextInt(Math.max(1, env.queueDepth() - 1))) % env.queueDepth();
                int imm = Imm.ioRequest(other, m.nextInt(0, env.chunkSize() - 4), memBits);
                return valid.withImm(imm, null, true, "chunk " + other + " that holds no request");
            }
            case 4 -> {
                int imm = m.nextInt();
                boolean io = imm >>> 28 == 0;
                boolean heartbeat =
                        imm >>> 28 == ImmType.HB_MSG.wireValue() || imm >>> 28 == ImmType.HB_ACK.wireValue();
                return valid.withImm(
                        imm, io ? null : !heartbeat, !heartbeat, "immediate 0x" + Integer.toHexString(imm));
            }
            default -> {
                int imm = Imm.encode(m.pick(ImmType.HB_MSG, ImmType.HB_ACK), m.nextInt() & 0x0FFFFFFF);
                return valid.withImm(imm, false, false, "heartbeat immediate 0x" + Integer.toHexString(imm));
            }
        }
    }

    /** An RNBD IO header for the first device. */
    static byte[] ioHeader(FuzzIo.Env env, long sector, int length, int op) {
        byte[] h = new byte[RnbdIo.SIZE];
        int id = env.devices().isEmpty() ? 0 : env.devices().get(0).id();
        RnbdCodec.encode(new RnbdIo(id, sector, IoOperation.values()[op], 0, length, 0), ByteBuffer.wrap(h), 0);
        return h;
    }

    // ---- WRITE and READ messages ----

    static FuzzIo message(Mutator m, FuzzIo.Env env) {
        int length = 4096 * m.nextInt(1, 9);
        long sector = 8L * m.nextInt(0, 512);
        if (m.chance(40)) {
            byte[] header = ioHeader(env, sector, length, IoOperation.WRITE.wireValue());
            int usrLen = header.length;
            Boolean refuse = null;
            String what = "WRITE of " + length;
            switch (m.nextInt(3)) {
                case 0 -> {
                    usrLen = (int) m.boundary(2);
                    refuse = usrLen > length + header.length ? Boolean.TRUE : null;
                    what += " usr_len " + usrLen;
                }
                case 1 -> {
                    usrLen = length + header.length + m.nextInt(1, 64);
                    refuse = true;
                    what += " usr_len " + usrLen + " beyond its offset";
                }
                default -> {
                    FuzzIo w = FuzzIo.write(env, length, header, usrLen, null, what);
                    byte[] image = w.image();
                    m.boundaryField(image, image.length - 4, 2);
                    long type = Mutator.get(image, image.length - 4, 2);
                    return new FuzzIo(
                            0,
                            image,
                            w.imm(),
                            type != 2 && type != 3 ? Boolean.TRUE : null,
                            true,
                            what + " message type " + type);
                }
            }
            return FuzzIo.write(env, length, header, usrLen, refuse, what);
        }
        byte[] header = ioHeader(env, sector, length, IoOperation.READ.wireValue());
        int usrLen = header.length;
        int flags = 0;
        Boolean refuse = null;
        List<SgDesc> descs = new ArrayList<>();
        descs.add(new SgDesc(env.targetAddress(), env.targetKey(), length));
        String what = "READ of " + length;
        switch (m.nextInt(6)) {
            case 0 -> {
                usrLen = (int) m.boundary(2);
                refuse = usrLen > length + header.length ? Boolean.TRUE : null;
                what += " usr_len " + usrLen;
            }
            case 1 -> {
                flags = (int) m.boundary(2);
                refuse = (flags & ~RtrsProtocol.FLAG_NEED_INVAL) != 0 ? Boolean.TRUE : null;
                what += " flags 0x" + Integer.toHexString(flags);
            }
            case 2 -> {
                int n = m.pickInt(0, 2, 3, 16, 200, 1000);
                descs.clear();
                for (int i = 0; i < n; i++) {
                    int part = n == 0 ? 0 : Math.max(1, length / n);
                    descs.add(new SgDesc(env.targetAddress() + (long) i * part, env.targetKey(), part));
                }
                refuse = n == 0 ? Boolean.TRUE : null;
                what += " in " + n + " descriptors";
            }
            case 3 -> {
                int len = (int) m.boundary(4);
                descs.set(0, new SgDesc(env.targetAddress(), env.targetKey(), len));
                refuse = Integer.toUnsignedLong(len) < length ? Boolean.TRUE : null;
                what += " descriptor length " + Integer.toUnsignedString(len);
            }
            case 4 -> {
                int key = m.chance(50) ? env.targetKey() ^ (1 + m.nextInt(255)) : (int) m.boundary(4);
                long address = m.chance(50) ? env.targetAddress() : m.boundary(8);
                descs.set(0, new SgDesc(address, key, length));
                what += " into key 0x" + Integer.toHexString(key) + " address 0x" + Long.toHexString(address);
            }
            default -> {
                return readCount(m, env, length, header, what);
            }
        }
        return FuzzIo.read(env, length, header, usrLen, flags, descs, refuse, what);
    }

    /** A READ whose sg_cnt says more (up to 65535) or fewer descriptors than the message carries. */
    private static FuzzIo readCount(Mutator m, FuzzIo.Env env, int length, byte[] header, String what) {
        List<SgDesc> descs = List.of(new SgDesc(env.targetAddress(), env.targetKey(), length));
        FuzzIo r = FuzzIo.read(env, length, header, header.length, 0, descs, null, what);
        byte[] image = r.image();
        int count = m.pickInt(0, 2, 255, 256, 4000, 65535);
        Mutator.put(image, header.length + 6, 2, count);
        boolean beyond = header.length + length + 8 + 16L * count > env.chunkSize();
        return new FuzzIo(
                r.chunkOffset(),
                image,
                r.imm(),
                count == 0 || beyond ? Boolean.TRUE : null,
                true,
                what + " sg_cnt " + count);
    }

    // ---- RDMA writes with wrong keys or outside the chunks ----

    /** A raw RDMA write: from the client's staging memory, to anywhere, with any key. */
    record RawWrite(int length, long remote, int rkey, Integer imm, Boolean closes, String what) {}

    static RawWrite rkey(
            Mutator m, FuzzIo.Env env, long chunkAddress, int chunkKey, long otherAddress, int otherKey, int staleKey) {
        int length = m.pickInt(4, 64, 4096);
        Integer imm = m.chance(50) ? null : Imm.ioRequest(env.chunk(), 0, env.memBits());
        return switch (m.nextInt(6)) {
            case 0 -> new RawWrite(length, chunkAddress, chunkKey ^ (1 + m.nextInt(0xFFFF)), imm, true, "wrong key");
            case 1 -> new RawWrite(length, chunkAddress, (int) m.boundary(4), imm, null, "boundary key");
            case 2 ->
                new RawWrite(
                        length,
                        chunkAddress,
                        staleKey,
                        imm,
                        staleKey != chunkKey ? Boolean.TRUE : null,
                        "the chunk's previous key");
            case 3 ->
                new RawWrite(
                        length,
                        chunkAddress + env.chunkSize() - m.nextInt(1, length),
                        chunkKey,
                        imm,
                        true,
                        "across the chunk's end");
            case 4 ->
                new RawWrite(length, chunkAddress - m.pickInt(1, 8, 4096), chunkKey, imm, true, "before the chunk");
            default ->
                new RawWrite(
                        length,
                        otherAddress,
                        chunkKey,
                        imm,
                        otherAddress != chunkAddress ? true : null,
                        "another chunk's address with this chunk's key" + (otherKey == chunkKey ? " (same key)" : ""));
        };
    }
}
