package dev.rtrs.block.server.internal;

import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.block.protocol.RnbdProtocolException;
import dev.rtrs.block.protocol.RnbdSessInfo;
import dev.rtrs.block.server.internal.FuzzStats.Family;
import dev.rtrs.block.server.internal.FuzzStats.Problem;
import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.FuzzSettings;
import dev.rtrs.test.support.Mutator;
import dev.rtrs.transport.core.internal.wire.InfoReq;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.VerbsException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * Runs the families of cases against a live server through a {@link HostileRtrs} client. Cases that the server
 * answers go many to a connection, pipelined up to the queue depth; when the server closes a connection with more
 * than one case in flight, those cases run again one by one on fresh connections, so that each close is laid at the
 * door of one case.
 */
final class RtrsFuzzer {

    static final int CASE_TIMEOUT_MS = 10_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int SETUP_ATTEMPTS = 3;
    private static final long SETUP_PAUSE_MS = 200;
    private static final long SESSION_SALT = Mutator.salt("session");
    private static final int OPEN_RETRIES = 50;
    private static final int MAX_FAILED_HANDSHAKES = 20;

    private final FuzzSettings settings;
    private final HostileRtrs client;
    private final FuzzStats stats;
    private long sessions;

    RtrsFuzzer(FuzzSettings settings, HostileRtrs client, FuzzStats stats) {
        this.settings = settings;
        this.client = client;
        this.stats = stats;
    }

    // ---- sessions ----

    /** A connected link, with the session's devices when RNBD was set up. */
    final class Session implements AutoCloseable {
        final HostileLink link;
        final List<FuzzIo.Device> devices = new ArrayList<>();
        int queueDepth;

        Session(HostileLink link) {
            this.link = link;
        }

        FuzzIo.Env env(int chunk) {
            return new FuzzIo.Env(
                    queueDepth,
                    link.chunkLength,
                    link.memBits,
                    chunk,
                    client.target(chunk).address(),
                    client.target(chunk).rkey(),
                    devices);
        }

        /** Sends one IO on chunk 0 and waits for its answer: its errno, or -1 when the link broke. */
        int call(FuzzIo io) {
            if (!link.writeIo(0, io.chunkOffset(), io.image(), io.imm())) {
                return -1;
            }
            int[] errno = {-2};
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CASE_TIMEOUT_MS);
            while (errno[0] == -2 && !link.isBroken() && System.nanoTime() < deadline) {
                if (link.pollOnce((bufId, e) -> errno[0] = e) == 0) {
                    LockSupport.parkNanos(20_000);
                }
            }
            return errno[0] == -2 ? -1 : errno[0];
        }

        @Override
        public void close() {
            link.close();
        }
    }

    /** Connects a new session with a valid handshake; with {@code rnbd}, introduces it and opens the devices. */
    Session open(boolean rnbd) throws Exception {
        // a valid session may be refused while the server is at its limits under the flood (sessions, handshakes),
        // or time out on a loaded machine: a real client tries again, and so does this one, a few times
        AssertionError last = null;
        for (int attempt = 0; attempt < SETUP_ATTEMPTS; attempt++) {
            try {
                return openOnce(rnbd);
            } catch (AssertionError e) {
                last = e;
                Thread.sleep(SETUP_PAUSE_MS);
            }
        }
        throw last;
    }

    private Session openOnce(boolean rnbd) throws Exception {
        long n = sessions++;
        Mutator m = Mutator.forCase(settings.seed(), SESSION_SALT, n);
        Session s = new Session(client.link());
        CmEventType t = s.link.connect(RtrsCases.conReq(m, 0, 1, true), CONNECT_TIMEOUT_MS);
        if (t != CmEventType.ESTABLISHED || s.link.conRsp == null) {
            s.close();
            throw new AssertionError("a valid connect came to " + t + " (" + s.link.conRsp + ")");
        }
        s.queueDepth = s.link.conRsp.queueDepth();
        byte[] info = new byte[InfoReq.SIZE];
        RtrsCodec.encode(new InfoReq("fuzz-" + n), ByteBuffer.wrap(info), 0);
        if (!s.link.sendRaw(info) || s.link.awaitInfo(CONNECT_TIMEOUT_MS) == null) {
            String why = s.link.brokenWhy();
            s.close();
            throw new AssertionError("a valid INFO_REQ was not answered: " + why);
        }
        if (rnbd) {
            byte[] sessInfo = new byte[RnbdSessInfo.SIZE];
            RnbdCodec.encode(new RnbdSessInfo(2), ByteBuffer.wrap(sessInfo), 0);
            check(s.call(FuzzIo.read(s.env(0), 36, sessInfo, false, "SESS_INFO")), "SESS_INFO");
            openDevice(s, "fuzz", 1, true);
            openDevice(s, "mem", 0, false);
            openDevice(s, "mem-ro", 0, false);
        }
        return s;
    }

    private void openDevice(Session s, String name, int mode, boolean writable) throws Exception {
        byte[] h = new byte[264];
        Mutator.put(h, 0, 2, 2);
        h[4] = (byte) mode;
        System.arraycopy(name.getBytes(StandardCharsets.US_ASCII), 0, h, 6, name.length());
        for (int attempt = 0; attempt < OPEN_RETRIES; attempt++) {
            int errno = s.call(FuzzIo.read(s.env(0), RnbdOpenRsp.SIZE, h, false, "OPEN " + name));
            if (errno == 0) {
                ByteBuffer rsp = client.target(0).buffer();
                try {
                    RnbdOpenRsp r = RnbdCodec.decodeOpenRsp(rsp, 0, RnbdOpenRsp.SIZE);
                    s.devices.add(new FuzzIo.Device(r.deviceId(), r.sectors(), writable, name));
                } catch (RnbdProtocolException e) {
                    throw new AssertionError("OPEN_RSP of " + name + " does not decode: " + e.getMessage());
                }
                return;
            }
            if (errno != Errno.EPERM) {
                throw new AssertionError("OPEN " + name + ": errno " + errno);
            }
            // the previous hostile session that held it is still being torn down
            Thread.sleep(10);
        }
        throw new AssertionError("OPEN " + name + " still refused after " + OPEN_RETRIES + " attempts");
    }

    private static void check(int errno, String what) {
        if (errno != 0) {
            throw new AssertionError(what + " failed with errno " + errno);
        }
    }

    // ---- families of IO cases ----

    private static BiFunction<Mutator, FuzzIo.Env, FuzzIo> generator(Family f) {
        return switch (f) {
            case IMM -> RtrsCases::imm;
            case RTRS_MSG -> RtrsCases::message;
            case RNBD_IO -> RnbdCases::io;
            case RNBD_OPEN -> RnbdCases::open;
            case RNBD_CLOSE -> RnbdCases::close;
            case RNBD_RAW -> RnbdCases::raw;
            default -> throw new IllegalArgumentException(f.name());
        };
    }

    /** A new session, or null (noted as a finding) when the server did not complete a valid handshake. */
    private Session openOrNote(Family f) throws Exception {
        stats.link(f);
        try {
            return open(f.rnbd);
        } catch (AssertionError e) {
            stats.finding(f, -1, Problem.STUCK, "a valid handshake of a new session", e.getMessage());
            if (stats.count(Problem.STUCK) > MAX_FAILED_HANDSHAKES) {
                throw e;
            }
            return null;
        }
    }

    /** Runs {@code cases} cases of an IO family, until done or {@code deadline} ({@link System#nanoTime()}). */
    void runIo(Family f, long cases, long deadline) throws Exception {
        BiFunction<Mutator, FuzzIo.Env, FuzzIo> gen = generator(f);
        long salt = Mutator.salt(f.name());
        Session s = null;
        ArrayDeque<Long> retry = new ArrayDeque<>();
        Set<Long> retried = new HashSet<>();
        InFlight flight = null;
        long next = 0;
        try {
            while ((next < cases || !retry.isEmpty() || (flight != null && flight.count > 0))
                    && System.nanoTime() < deadline) {
                if (s == null) {
                    s = openOrNote(f);
                    if (s == null) {
                        continue;
                    }
                    flight = new InFlight(s.queueDepth);
                }
                if (s.link.isBroken()) {
                    flight.onClose(f, retry, s.link.brokenWhy());
                    s.close();
                    s = null;
                    continue;
                }
                // a case closed with others in flight is retried alone: nothing may join it until it is answered
                boolean alone = !retry.isEmpty() || flight.holdsAny(retried) || f == Family.IMM;
                int depth = alone ? 1 : s.queueDepth;
                while (flight.count < depth && !s.link.isBroken()) {
                    long idx;
                    if (!retry.isEmpty()) {
                        if (flight.count > 0) {
                            break;
                        }
                        idx = retry.poll();
                        retried.add(idx);
                    } else if (next < cases) {
                        idx = next++;
                    } else {
                        break;
                    }
                    int chunk = flight.freeChunk();
                    FuzzIo io = gen.apply(Mutator.forCase(settings.seed(), salt, idx), s.env(chunk));
                    if (!s.link.writeIo(chunk, io.chunkOffset(), io.image(), io.imm())) {
                        retry.addFirst(idx);
                        retried.remove(idx);
                        break;
                    }
                    if (io.answered()) {
                        flight.add(chunk, idx, io);
                    } else {
                        stats.silent(f);
                    }
                }
                Session current = s;
                InFlight fl = flight;
                int polled = s.link.pollOnce((bufId, errno) -> {
                    fl.onResponse(f, bufId, errno, current.queueDepth);
                    return 0;
                });
                if (polled == 0) {
                    if (flight.oldestAgeMs() > CASE_TIMEOUT_MS) {
                        flight.onStuck(f);
                        s.close();
                        s = null;
                        continue;
                    }
                    LockSupport.parkNanos(10_000);
                }
            }
        } finally {
            if (s != null) {
                s.close();
            }
        }
    }

    /** The cases in flight on one link, by chunk. */
    private final class InFlight {
        final long[] index;
        final FuzzIo[] io;
        final long[] since;
        int count;

        InFlight(int queueDepth) {
            index = new long[queueDepth];
            io = new FuzzIo[queueDepth];
            since = new long[queueDepth];
        }

        int freeChunk() {
            for (int i = 0; i < io.length; i++) {
                if (io[i] == null) {
                    return i;
                }
            }
            throw new IllegalStateException("no free chunk");
        }

        void add(int chunk, long idx, FuzzIo value) {
            index[chunk] = idx;
            io[chunk] = value;
            since[chunk] = System.nanoTime();
            count++;
        }

        private int only() {
            for (int i = 0; i < io.length; i++) {
                if (io[i] != null) {
                    return i;
                }
            }
            return -1;
        }

        void onResponse(Family f, int bufId, int errno, int queueDepth) {
            int chunk = bufId < queueDepth && io[bufId] != null ? bufId : -1;
            if (chunk < 0 && count == 1 && f == Family.IMM) {
                // the case named another chunk in its immediate: the answer is still its own
                chunk = only();
            }
            if (chunk < 0) {
                stats.finding(f, -1, Problem.STRAY_RESPONSE, "response for chunk " + bufId, "errno " + errno);
                return;
            }
            FuzzIo done = io[chunk];
            stats.errno(f, errno);
            if (errno == 0 && Boolean.TRUE.equals(done.refuse())) {
                stats.finding(f, index[chunk], Problem.ACCEPTED, done.what(), "errno 0");
            }
            io[chunk] = null;
            count--;
        }

        void onClose(Family f, ArrayDeque<Long> retry, String why) {
            for (int i = 0; i < io.length; i++) {
                if (io[i] == null) {
                    continue;
                }
                if (count == 1) {
                    stats.closed(f);
                    if (Boolean.FALSE.equals(io[i].refuse())) {
                        stats.finding(f, index[i], Problem.REFUSED_VALID, io[i].what(), "connection closed: " + why);
                    }
                } else {
                    retry.add(index[i]);
                }
                io[i] = null;
            }
            count = 0;
        }

        /** Whether one of the cases in flight is one of {@code cases}. */
        boolean holdsAny(Set<Long> cases) {
            for (int i = 0; i < io.length; i++) {
                if (io[i] != null && cases.contains(index[i])) {
                    return true;
                }
            }
            return false;
        }

        long oldestAgeMs() {
            long oldest = Long.MAX_VALUE;
            for (int i = 0; i < io.length; i++) {
                if (io[i] != null) {
                    oldest = Math.min(oldest, since[i]);
                }
            }
            return oldest == Long.MAX_VALUE ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - oldest);
        }

        void onStuck(Family f) {
            for (int i = 0; i < io.length; i++) {
                if (io[i] != null) {
                    stats.finding(
                            f,
                            index[i],
                            Problem.STUCK,
                            io[i].what(),
                            "no answer, no close in " + CASE_TIMEOUT_MS + " ms");
                    stats.silent(f);
                    io[i] = null;
                }
            }
            count = 0;
        }
    }

    // ---- families of connections ----

    void runConnect(long cases, long deadline) throws Exception {
        long salt = Mutator.salt(Family.CON_REQ.name());
        for (long i = 0; i < cases && System.nanoTime() < deadline; i++) {
            RtrsCases.Connect c = RtrsCases.connect(Mutator.forCase(settings.seed(), salt, i));
            try (HostileLink link = client.link()) {
                stats.link(Family.CON_REQ);
                CmEventType t;
                try {
                    t = link.connect(c.privateData(), CONNECT_TIMEOUT_MS);
                } catch (VerbsException e) {
                    // private data the provider itself refuses to send (more than 56 bytes)
                    stats.silent(Family.CON_REQ);
                    continue;
                }
                if (t == CmEventType.ESTABLISHED) {
                    stats.errno(Family.CON_REQ, 0);
                    if (Boolean.TRUE.equals(c.refuse())) {
                        stats.finding(Family.CON_REQ, i, Problem.ACCEPTED, c.what(), "ESTABLISHED");
                    }
                } else if (t == null) {
                    stats.silent(Family.CON_REQ);
                    stats.finding(Family.CON_REQ, i, Problem.STUCK, c.what(), "no answer to connect");
                } else {
                    int errno = link.conRsp == null ? Errno.ECONNREFUSED : Math.abs(link.conRsp.errno());
                    stats.errno(Family.CON_REQ, errno == 0 ? Errno.ECONNREFUSED : errno);
                    if (Boolean.FALSE.equals(c.refuse()) && t == CmEventType.REJECTED) {
                        stats.finding(Family.CON_REQ, i, Problem.REFUSED_VALID, c.what(), "rejected " + errno);
                    }
                }
            }
        }
    }

    /** A link whose valid connect request was accepted, tried again a few times as {@link #open} does. */
    private HostileLink connectValid(Mutator m) throws Exception {
        String outcome = "";
        for (int attempt = 0; attempt < SETUP_ATTEMPTS; attempt++) {
            HostileLink link = client.link();
            if (link.connect(RtrsCases.conReq(m, 0, 1, true), CONNECT_TIMEOUT_MS) == CmEventType.ESTABLISHED) {
                return link;
            }
            outcome = String.valueOf(link.outcome);
            link.close();
            Thread.sleep(SETUP_PAUSE_MS);
        }
        throw new AssertionError("a valid connect was refused " + SETUP_ATTEMPTS + " times: " + outcome);
    }

    void runInfo(long cases, long deadline) throws Exception {
        long salt = Mutator.salt(Family.INFO_REQ.name());
        for (long i = 0; i < cases && System.nanoTime() < deadline; i++) {
            Mutator m = Mutator.forCase(settings.seed(), salt, i);
            RtrsCases.Info c = RtrsCases.info(m);
            try (HostileLink link = connectValid(m)) {
                stats.link(Family.INFO_REQ);
                if (!link.sendRaw(c.bytes())) {
                    stats.closed(Family.INFO_REQ);
                    continue;
                }
                if (link.awaitInfo(CASE_TIMEOUT_MS) != null) {
                    stats.errno(Family.INFO_REQ, 0);
                    if (Boolean.TRUE.equals(c.refuse())) {
                        stats.finding(Family.INFO_REQ, i, Problem.ACCEPTED, c.what(), "INFO_RSP");
                    }
                } else if (link.isBroken()) {
                    stats.closed(Family.INFO_REQ);
                    if (Boolean.FALSE.equals(c.refuse())) {
                        stats.finding(Family.INFO_REQ, i, Problem.REFUSED_VALID, c.what(), link.brokenWhy());
                    }
                } else {
                    stats.silent(Family.INFO_REQ);
                    stats.finding(Family.INFO_REQ, i, Problem.STUCK, c.what(), "no INFO_RSP, no close");
                }
            }
        }
    }

    void runRkey(long cases, long deadline) throws Exception {
        long salt = Mutator.salt(Family.RKEY.name());
        Session s = null;
        try {
            for (long i = 0; i < cases && System.nanoTime() < deadline; i++) {
                if (s == null || s.link.isBroken()) {
                    if (s != null) {
                        s.close();
                    }
                    s = openOrNote(Family.RKEY);
                    if (s == null) {
                        continue;
                    }
                }
                int stale = s.link.chunkKey[0];
                // an IO on chunk 0 renews its key: the one before becomes stale
                s.call(FuzzIo.read(s.env(0), 0, new byte[32], null, "renew"));
                Mutator m = Mutator.forCase(settings.seed(), salt, i);
                int other = 1 + m.nextInt(s.queueDepth - 1);
                RtrsCases.RawWrite w = RtrsCases.rkey(
                        m,
                        s.env(0),
                        s.link.chunkAddress[0],
                        s.link.chunkKey[0],
                        s.link.chunkAddress[other],
                        s.link.chunkKey[other],
                        stale);
                if (!s.link.writeRaw(0, w.length(), w.remote(), w.rkey(), w.imm())) {
                    stats.closed(Family.RKEY);
                    continue;
                }
                rkeyOutcome(s, i, w);
            }
        } finally {
            if (s != null) {
                s.close();
            }
        }
    }

    private void rkeyOutcome(Session s, long i, RtrsCases.RawWrite w) {
        int[] errno = {-2};
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CASE_TIMEOUT_MS);
        // without an immediate only the write's own completion tells; with one, the answer or the close does
        while (!s.link.isBroken()
                && System.nanoTime() < deadline
                && (w.imm() == null ? s.link.sendsOut() > 0 : errno[0] == -2)) {
            if (s.link.pollOnce((bufId, e) -> errno[0] = e) == 0) {
                LockSupport.parkNanos(20_000);
            }
        }
        if (s.link.isBroken()) {
            stats.closed(Family.RKEY);
        } else if (errno[0] >= 0) {
            stats.errno(Family.RKEY, errno[0]);
            if (Boolean.TRUE.equals(w.closes())) {
                stats.finding(Family.RKEY, i, Problem.ACCEPTED, w.what(), "answered errno " + errno[0]);
            }
        } else if (w.imm() == null && s.link.sendsOut() == 0) {
            stats.errno(Family.RKEY, 0);
            if (Boolean.TRUE.equals(w.closes())) {
                stats.finding(Family.RKEY, i, Problem.ACCEPTED, w.what(), "the write completed");
            }
        } else {
            stats.silent(Family.RKEY);
            stats.finding(Family.RKEY, i, Problem.STUCK, w.what(), "no completion, no close");
        }
    }
}
