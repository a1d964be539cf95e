package dev.rtrs.transport.core.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real nftables rule that silently drops the TCP traffic of one loopback address and port in both directions,
 * as a broken link does: nothing is closed, packets just vanish. The rule lives in a table of its own, deleted on
 * close. Needs root and nft; without them the test is skipped, unless RTRS_REQUIRE_LINK_FAULTS=1 (CI) makes that a
 * failure.
 */
final class FirewallDrop implements AutoCloseable {

    private final String table = "rtrs_test_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100_000;
    private boolean installed;

    /** Skips the calling test where nftables cannot be used. */
    static void assumeAvailable() {
        boolean ok;
        try {
            ok = run(List.of("nft", "list", "tables")) == 0;
        } catch (IOException e) {
            ok = false;
        }
        if (!ok && "1".equals(System.getenv("RTRS_REQUIRE_LINK_FAULTS"))) {
            throw new AssertionError("nft (Debian: nftables) as root is required here");
        }
        Assumptions.assumeTrue(ok, "nftables not usable (needs root and nft): skipped");
    }

    /** Starts dropping TCP packets to and from {@code address}:{@code port}. */
    void drop(String address, int port) throws IOException {
        String script = "table inet " + table + " {\n"
                + "  chain out { type filter hook output priority -10; policy accept;\n"
                + "    ip daddr " + address + " tcp dport " + port + " drop\n"
                + "    ip saddr " + address + " tcp sport " + port + " drop\n"
                + "  }\n"
                + "}\n";
        nft(script);
        installed = true;
    }

    /** Kills the TCP connections to {@code address}:{@code port} with {@code ss -K}, as a reset link does. */
    static void killConnections(String address, int port) throws IOException {
        Process p = new ProcessBuilder("ss", "-K", "dst", address, "dport", "=", Integer.toString(port))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("ss -K failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Lets the packets through again. */
    void restore() throws IOException {
        if (installed) {
            installed = false;
            nft("delete table inet " + table + "\n");
        }
    }

    @Override
    public void close() throws IOException {
        restore();
    }

    private static void nft(String script) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("nft failed: " + out + "\n" + script);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static int run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        try {
            return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
