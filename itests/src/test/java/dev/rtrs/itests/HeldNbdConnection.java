package dev.rtrs.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real NBD client that holds a connection open: libnbd's {@code nbdsh} (Debian: python3-libnbd) reading 512 bytes
 * every 100 ms and printing {@code read N} after each read, until a read fails (it then exits non-zero) or
 * {@link #MAX_SECONDS} pass. Runs in the container's JVM, so tests can watch it while they act on the appliance.
 */
final class HeldNbdConnection implements AutoCloseable {

    static final String BINARY = "nbdsh";
    static final String REQUIRE = "RTRS_REQUIRE_NBD_TOOLS";
    /** How long the client reads at the most: a bound on the process, whatever the test does. */
    static final int MAX_SECONDS = 120;

    private static final String SCRIPT = String.join(
            "\n",
            "import time",
            "n = 0",
            "end = time.monotonic() + " + MAX_SECONDS,
            "while time.monotonic() < end:",
            "    h.pread(512, 0)",
            "    n += 1",
            "    print('read', n, flush=True)",
            "    time.sleep(0.1)");
    private static final Pattern READ = Pattern.compile("(?m)^read (\\d+)$");

    private final Process process;
    private final Path output;

    private HeldNbdConnection(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Whether nbdsh runs here; a missing one is a failure where {@value #REQUIRE}=1. */
    static boolean available() {
        try {
            Process p = builder(List.of(BINARY, "--version")).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean required() {
        return "1".equals(System.getenv(REQUIRE));
    }

    /** Connects to {@code uri} and starts reading. */
    static HeldNbdConnection open(String uri) throws IOException {
        Path output = Files.createTempFile("nbdsh", ".out");
        Process p = builder(List.of(BINARY, "-u", uri, "-c", SCRIPT))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        return new HeldNbdConnection(p, output);
    }

    /**
     * nbdsh is a Python program of Debian's python3 (its nbd module lives there): put /usr/bin first, so that another
     * python3 on the PATH (pyenv, a virtualenv) does not run it without that module.
     */
    private static ProcessBuilder builder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("PATH", "/usr/bin:/bin:" + env.getOrDefault("PATH", ""));
        return pb;
    }

    /** Reads completed so far. */
    int reads() {
        Matcher m = READ.matcher(output());
        int last = 0;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end; its exit code, or null when it still runs after {@code seconds}. */
    Integer awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    /** What it printed, for assertions and failure messages. */
    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
