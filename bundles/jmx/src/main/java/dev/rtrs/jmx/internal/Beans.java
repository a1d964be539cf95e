package dev.rtrs.jmx.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the MBeans share: the admin services, looked up at each call since they may come and go, and failures turned
 * into exceptions of the JDK with the errno in their message, which a remote JMX console can always read.
 */
final class Beans {

    private final Supplier<RtrsAdmin> transport;
    private final Supplier<RnbdClientAdmin> client;
    private final Supplier<RnbdServerAdmin> server;

    Beans(Supplier<RtrsAdmin> transport, Supplier<RnbdClientAdmin> client, Supplier<RnbdServerAdmin> server) {
        this.transport = transport;
        this.client = client;
        this.server = server;
    }

    RtrsAdmin transport() {
        return required(transport.get(), "the RTRS transport (feature rtrs-core)");
    }

    /** The RNBD client, or null when it is not installed. */
    RnbdClientAdmin clientOrNull() {
        return client.get();
    }

    RnbdClientAdmin client() {
        return required(client.get(), "the RNBD client (feature rnbd-client)");
    }

    RnbdServerAdmin server() {
        return required(server.get(), "the RNBD server (feature rnbd-server and its configuration)");
    }

    private static <T> T required(T service, String what) {
        if (service == null) {
            throw new IllegalStateException(what + " is not running");
        }
        return service;
    }

    ClientSession clientSession(String name) {
        return transport().clientSessions().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no client session named '" + name + "'"));
    }

    /** Whether mapped devices are configured to use the session, so that a change is kept in their configuration. */
    boolean configuredByRnbd(String session) {
        RnbdClientAdmin c = client.get();
        return c != null && c.devices().stream().anyMatch(d -> session.equals(d.session()));
    }

    /** The end of a change's message: where it is kept, or that it is not. */
    static String kept(List<String> devices, String session) {
        return devices.isEmpty()
                ? " (runtime only: no mapped device's configuration names session " + session + ")"
                : " (kept in the configuration of " + String.join(", ", devices) + ")";
    }

    /** A failure of an admin service, as an exception every JMX client has the class of. */
    static IllegalStateException failed(IOException e) {
        return new IllegalStateException(e.getMessage());
    }

    static IllegalStateException interrupted() {
        Thread.currentThread().interrupt();
        return new IllegalStateException("interrupted");
    }

    /** The path of the list that {@code ref} names: its uuid or its name {@code src@dst}. */
    static PathInfo path(String session, List<PathInfo> paths, String ref) {
        return paths.stream()
                .filter(p ->
                        p.uuid().toString().equalsIgnoreCase(ref) || p.name().equals(ref))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("session " + session + " has no path '" + ref + "'"));
    }
}
