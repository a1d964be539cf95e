package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdServerAdmin.OpenDeviceInfo;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.block.protocol.RnbdClose;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdMessage;
import dev.rtrs.block.protocol.RnbdMessageType;
import dev.rtrs.block.protocol.RnbdOpen;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.block.protocol.RnbdProtocolException;
import dev.rtrs.block.protocol.RnbdSessInfo;
import dev.rtrs.block.protocol.RnbdSessInfoRsp;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RequestHandler;
import dev.rtrs.transport.ServerLinkListener;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.log.RateLimitedLog;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RNBD server on top of an RTRS server: each request's user header is an RNBD message. SESS_INFO and OPEN
 * are answered by writing SESS_INFO_RSP or OPEN_RSP into the READ's data; IO goes to the export's device.
 * Every refusal is an errno in the response and touches nothing else.
 */
final class RnbdServerCore implements RequestHandler, ServerLinkListener {

    private static final Logger LOG = LoggerFactory.getLogger(RnbdServerCore.class);
    private static final RateLimitedLog WARN = RateLimitedLog.of(LOG);

    private final ExportRegistry exports;
    private final int maxIoSize;
    /** The RNBD state of each live session; an entry comes with the session's first SESS_INFO or OPEN. */
    private final Map<ServerSession, RnbdSession> sessions = new ConcurrentHashMap<>();

    RnbdServerCore(ExportRegistry exports, int maxIoSize) {
        this.exports = exports;
        this.maxIoSize = maxIoSize;
    }

    ExportRegistry exports() {
        return exports;
    }

    private RnbdSession state(ServerSession s) {
        return sessions.computeIfAbsent(s, k -> new RnbdSession(k.name()));
    }

    @Override
    public void onRequest(ServerRequest request) {
        ByteBuffer header = request.userHeader();
        int at = header.position();
        RnbdMessage message;
        try {
            if (RnbdCodec.peekType(header, at, header.remaining()) == RnbdMessageType.IO) {
                // the IO path reads the fields where they are: no message object per IO
                RnbdCodec.checkIo(header, at, header.remaining());
                io(sessions.get(request.session()), header, at, request);
                return;
            }
            message = RnbdCodec.decode(header, at, header.remaining());
        } catch (RnbdProtocolException e) {
            WARN.warn(
                    "malformed-rnbd",
                    "session {}: malformed RNBD message: {}",
                    request.session().name(),
                    e.getMessage());
            request.respond(e.errno());
            return;
        }
        ServerSession from = request.session();
        if (message instanceof RnbdSessInfo info) {
            sessInfo(state(from), info, request);
        } else if (message instanceof RnbdOpen open) {
            open(state(from), open, request);
        } else if (message instanceof RnbdClose close) {
            close(sessions.get(from), close, request);
        } else {
            WARN.warn("malformed-rnbd", "session {}: unexpected {} from a client", from.name(), message.type());
            request.respond(Errno.EINVAL);
        }
    }

    private static void sessInfo(RnbdSession session, RnbdSessInfo info, ServerRequest request) {
        if (request.direction() != Direction.READ || request.data().remaining() < RnbdSessInfoRsp.SIZE) {
            request.respond(Errno.EINVAL);
            return;
        }
        ByteBuffer rsp = zeroed(request.data(), RnbdSessInfoRsp.SIZE);
        // as the kernel: the session speaks the lower of the two versions
        RnbdCodec.encode(new RnbdSessInfoRsp(Math.min(info.version(), RnbdCodec.PROTOCOL_VERSION)), rsp, 0);
        session.introduced = true;
        LOG.info("session {}: RNBD client speaks version {}", session.name, info.version());
        request.respond(0);
    }

    private void open(RnbdSession session, RnbdOpen open, ServerRequest request) {
        if (request.direction() != Direction.READ || request.data().remaining() < RnbdOpenRsp.SIZE) {
            request.respond(Errno.EINVAL);
            return;
        }
        RnbdSession.OpenDevice opened;
        synchronized (session) {
            opened = session.opened(open.deviceName());
            if (opened != null) {
                // as the kernel: the session gets the device it has open again, whatever mode it asks for now
                LOG.info("session {}: device {} is already open as {}", session.name, open.deviceName(), opened.id());
                openResponse(opened, request);
                return;
            }
            try {
                Export e = exports.open(
                        session.name, clientAddresses(request.session()), open.deviceName(), open.accessMode());
                opened = session.add(e, open.accessMode(), open.deviceName());
            } catch (BlockException e) {
                WARN.warn(
                        "open-refused",
                        "session {}: cannot open {} {}: {}",
                        session.name,
                        open.deviceName(),
                        open.accessMode(),
                        e.getMessage());
                request.respond(e.errno());
                return;
            }
        }
        if (opened.export().device() == null) {
            closeDevice(session, opened);
            request.respond(Errno.EIO);
            return;
        }
        LOG.info(
                "session {}: opened {} {} as device {}",
                session.name,
                open.deviceName(),
                open.accessMode(),
                opened.id());
        openResponse(opened, request);
    }

    /** Writes OPEN_RSP for an open device into the READ's buffer, and answers. */
    private void openResponse(RnbdSession.OpenDevice opened, ServerRequest request) {
        BlockDevice d = opened.export().device();
        if (d == null) {
            request.respond(Errno.EIO);
            return;
        }
        int cache =
                (d.supportsFua() ? RnbdOpenRsp.CACHE_FUA : 0) | (d.hasWriteCache() ? RnbdOpenRsp.CACHE_WRITEBACK : 0);
        long discardSectors = d.supportsDiscard() ? maxIoSize / RnbdCodec.SECTOR_SIZE : 0;
        RnbdOpenRsp rsp = RnbdOpenRsp.builder(opened.id(), d.size() / RnbdCodec.SECTOR_SIZE)
                .maxHwSectors(maxIoSize / RnbdCodec.SECTOR_SIZE)
                .maxDiscardSectors(discardSectors)
                .maxWriteZeroesSectors(d.supportsWriteZeroes() ? maxIoSize / RnbdCodec.SECTOR_SIZE : 0)
                .discardGranularity(d.supportsDiscard() ? d.logicalBlockSize() : 0)
                .blockSizes(d.logicalBlockSize(), Math.max(d.logicalBlockSize(), d.physicalBlockSize()))
                .maxSegments(128)
                .cachePolicy(cache)
                .build();
        RnbdCodec.encode(rsp, zeroed(request.data(), RnbdOpenRsp.SIZE), 0);
        request.respond(0);
    }

    /** The response buffer with its first {@code size} bytes zeroed: reserved fields carry no stale chunk data. */
    private static ByteBuffer zeroed(ByteBuffer data, int size) {
        for (int i = 0; i < size; i++) {
            data.put(data.position() + i, (byte) 0);
        }
        return data;
    }

    private void close(RnbdSession session, RnbdClose close, ServerRequest request) {
        RnbdSession.OpenDevice d = session == null ? null : session.remove(close.deviceId());
        if (d == null) {
            // as the kernel: closing what is not open is no error
            request.respond(0);
            return;
        }
        exports.close(d.export(), d.mode());
        LOG.info("session {}: closed device {} ({})", session.name, d.id(), d.deviceName());
        request.respond(0);
    }

    private void closeDevice(RnbdSession session, RnbdSession.OpenDevice d) {
        if (session.remove(d.id()) != null) {
            exports.close(d.export(), d.mode());
        }
    }

    /** An IO whose message {@link RnbdCodec#checkIo} accepted at {@code at} of {@code header}. */
    private void io(RnbdSession session, ByteBuffer header, int at, ServerRequest request) {
        int deviceId = RnbdCodec.ioDeviceId(header, at);
        long length = RnbdCodec.ioLength(header, at);
        RnbdSession.OpenDevice open = session == null ? null : session.device(deviceId);
        if (open == null) {
            WARN.warn(
                    "io-refused",
                    "session {}: IO for device {} that the session has not opened",
                    request.session().name(),
                    deviceId);
            request.respond(Errno.ENOTCONN);
            return;
        }
        BlockDevice device = open.export().device();
        ExportCounters counters = open.export().counters;
        if (device == null) {
            counters.ioFailed();
            request.respond(Errno.EIO);
            return;
        }
        IoOperation op = RnbdCodec.ioOperation(header, at);
        boolean writes = op != IoOperation.READ && op != IoOperation.FLUSH;
        if (writes && open.mode() == AccessMode.RO) {
            request.respond(Errno.EROFS);
            return;
        }
        ByteBuffer data = request.data();
        long offset = RnbdCodec.ioSector(header, at) << RnbdCodec.SECTOR_SHIFT;
        boolean fua = (RnbdCodec.ioFlags(header, at) & IoOperation.FLAG_FUA) != 0;
        BlockCompletion done = errno -> {
            if (errno != 0) {
                counters.ioFailed();
            }
            request.respond(errno);
        };
        switch (op) {
            case READ -> {
                if (request.direction() != Direction.READ || data.remaining() != length) {
                    request.respond(Errno.EINVAL);
                } else {
                    device.read(offset, data, done);
                }
            }
            case WRITE -> {
                if (request.direction() != Direction.WRITE || data.remaining() != length) {
                    request.respond(Errno.EINVAL);
                } else {
                    device.write(offset, data, fua ? BlockDevice.FUA : 0, done);
                }
            }
            case FLUSH -> device.flush(done);
            case DISCARD -> device.discard(offset, length, done);
            case WRITE_ZEROES -> {
                if (request.direction() != Direction.WRITE || data.remaining() != 0) {
                    request.respond(Errno.EINVAL);
                } else {
                    device.writeZeroes(offset, length, done);
                }
            }
            // OPEN_RSP advertises no secure discard: erasing is not done, and not faked by a plain discard
            case SECURE_ERASE -> request.respond(Errno.EOPNOTSUPP);
            default -> request.respond(Errno.EOPNOTSUPP);
        }
    }

    /** The devices the sessions have open, by session name and device id. Non-blocking. */
    List<OpenDeviceInfo> openDevices() {
        List<OpenDeviceInfo> list = new ArrayList<>();
        for (RnbdSession r : sessions.values()) {
            for (RnbdSession.OpenDevice d : r.devices()) {
                list.add(new OpenDeviceInfo(
                        r.name, d.id(), d.deviceName(), d.mode().name()));
            }
        }
        list.sort(Comparator.comparing(OpenDeviceInfo::session).thenComparingInt(OpenDeviceInfo::deviceId));
        return list;
    }

    private static List<InetAddress> clientAddresses(ServerSession session) {
        List<InetAddress> addresses = new ArrayList<>();
        for (PathInfo p : session.paths()) {
            if (p.source() != null) {
                addresses.add(p.source().getAddress());
            }
        }
        return addresses;
    }

    // ---- link events ----

    /**
     * A path joining a session that has devices open must come from an address their exports allow: otherwise it
     * could carry IO to them from where an OPEN would have been refused. It is closed.
     */
    @Override
    public void pathConnected(ServerSession session, PathInfo path) {
        RnbdSession r = sessions.get(session);
        if (r == null || path.source() == null) {
            return;
        }
        List<InetAddress> from = List.of(path.source().getAddress());
        for (RnbdSession.OpenDevice d : r.devices()) {
            if (!d.export().definition.allowedClients().allowsAll(from)) {
                LOG.warn(
                        "session {}: path from {} closed: export {} allows clients {} only",
                        session.name(),
                        path.source().getAddress(),
                        d.export().definition.name(),
                        d.export().definition.allowedClients());
                session.closePath(path.uuid());
                return;
            }
        }
    }

    @Override
    public void sessionConnected(ServerSession session) {
        state(session);
    }

    @Override
    public void sessionDisconnected(ServerSession session) {
        RnbdSession r = sessions.remove(session);
        if (r != null) {
            List<RnbdSession.OpenDevice> open = r.devices();
            for (RnbdSession.OpenDevice d : open) {
                closeDevice(r, d);
            }
            if (!open.isEmpty()) {
                LOG.info("session {} gone: closed its {} devices", r.name, open.size());
            }
        }
    }
}
