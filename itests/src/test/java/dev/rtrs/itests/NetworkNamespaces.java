package dev.rtrs.itests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Assume;

/**
 * Two network namespaces of the test's own, a client side and a server side, joined by two veth pairs: two real
 * links, {@code 10.77.1.0/24} and {@code 10.77.2.0/24}, that the test can take down and bring up, or silence with a
 * firewall rule, without touching the machine's own network. Needs root and iproute2 (nftables for silencing);
 * without them the test is skipped, unless RTRS_REQUIRE_LINK_FAULTS=1 (CI) makes that a failure.
 */
final class NetworkNamespaces implements AutoCloseable {

    final String client;
    final String server;
    private final String tag;
    private final List<String> created = new ArrayList<>();

    static void assumeAvailable() {
        boolean ok;
        try {
            UnpackedAppliance.run(Path.of("."), 10, "ip", "netns", "list");
            UnpackedAppliance.run(Path.of("."), 10, "nft", "--version");
            ok = "0".equals(UnpackedAppliance.run(Path.of("."), 10, "id", "-u").trim());
        } catch (Exception e) {
            ok = false;
        }
        if (!ok && "1".equals(System.getenv("RTRS_REQUIRE_LINK_FAULTS"))) {
            throw new AssertionError("root with iproute2 and nftables is required here");
        }
        Assume.assumeTrue("network namespaces need root, iproute2 and nftables: skipped", ok);
    }

    NetworkNamespaces() throws Exception {
        tag = Long.toString(ProcessHandle.current().pid() % 100_000);
        client = "rtrs-c" + tag;
        server = "rtrs-s" + tag;
        try {
            for (String ns : List.of(client, server)) {
                ip("netns", "add", ns);
                created.add(ns);
                ip("-n", ns, "link", "set", "lo", "up");
            }
            for (int link = 1; link <= 2; link++) {
                String c = clientInterface(link);
                String s = "rs" + tag + "l" + link;
                ip("link", "add", c, "netns", client, "type", "veth", "peer", "name", s, "netns", server);
                ip("-n", client, "addr", "add", clientAddress(link) + "/24", "dev", c);
                ip("-n", server, "addr", "add", serverAddress(link) + "/24", "dev", s);
                ip("-n", client, "link", "set", c, "up");
                ip("-n", server, "link", "set", s, "up");
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    static String clientAddress(int link) {
        return "10.77." + link + ".1";
    }

    static String serverAddress(int link) {
        return "10.77." + link + ".2";
    }

    private String clientInterface(int link) {
        return "rc" + tag + "l" + link;
    }

    /** Takes link {@code link} down on the client side: no carrier, packets go nowhere. */
    void linkDown(int link) throws Exception {
        ip("-n", client, "link", "set", clientInterface(link), "down");
    }

    void linkUp(int link) throws Exception {
        ip("-n", client, "link", "set", clientInterface(link), "up");
    }

    /** Drops every packet of link {@code link} in the client namespace, both ways, with nothing closed. */
    void silence(int link) throws Exception {
        String script = "table inet rtrs_silence {\n"
                + "  chain out { type filter hook output priority 0; policy accept;\n"
                + "    ip daddr " + serverAddress(link) + " drop\n  }\n"
                + "  chain in { type filter hook input priority 0; policy accept;\n"
                + "    ip saddr " + serverAddress(link) + " drop\n  }\n"
                + "}\n";
        UnpackedAppliance.runWithInput(Path.of("."), 10, script, "ip", "netns", "exec", client, "nft", "-f", "-");
    }

    void unsilence() throws Exception {
        UnpackedAppliance.run(
                Path.of("."), 10, "ip", "netns", "exec", client, "nft", "delete", "table", "inet", "rtrs_silence");
    }

    private static void ip(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        UnpackedAppliance.run(Path.of("."), 10, command.toArray(new String[0]));
    }

    /** Deletes the namespaces (and with them the veth pairs). */
    @Override
    public void close() {
        for (String ns : created) {
            try {
                ip("netns", "del", ns);
            } catch (Exception e) {
                System.err.println("cannot delete network namespace " + ns + ": " + e.getMessage());
            }
        }
        created.clear();
    }
}
