package dev.rtrs.itests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Chromium (package {@code chromium}) in headless mode, one fresh profile per run: loads a page, lets its
 * scripts run for a budget of virtual time, and hands back the resulting DOM or a screenshot. Started with the flags
 * that keep it off the network (this machine has none beyond loopback) and out of the sandbox (tests run as root).
 */
final class HeadlessChromium {

    static final Path BINARY = Path.of("/usr/bin/chromium");
    /** Set to 1 where a missing Chromium must fail the test instead of skipping it (CI). */
    static final String REQUIRE = "RTRS_REQUIRE_BROWSER";

    private static final long TIMEOUT_SECONDS = 120;

    private HeadlessChromium() {}

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    static boolean required() {
        return "1".equals(System.getenv(REQUIRE));
    }

    /** The DOM after the page's scripts ran for {@code virtualMillis} of virtual time. */
    static String dumpDom(String url, int virtualMillis) throws Exception {
        return run(url, virtualMillis, "--dump-dom");
    }

    /** Saves a PNG of the page's first screen after its scripts ran. */
    static void screenshot(String url, int virtualMillis, Path png) throws Exception {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        run(url, virtualMillis, "--screenshot=" + png.toAbsolutePath(), "--hide-scrollbars");
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("Chromium wrote no screenshot to " + png);
        }
    }

    private static String run(String url, int virtualMillis, String... mode) throws Exception {
        Path profile = Files.createTempDirectory("rtrs-chromium-");
        Path stdout = Files.createTempFile("rtrs-chromium-", ".out");
        Path stderr = Files.createTempFile("rtrs-chromium-", ".err");
        try {
            List<String> command = new ArrayList<>(List.of(
                    BINARY.toString(),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-sync",
                    "--user-data-dir=" + profile,
                    "--window-size=1280,900",
                    "--virtual-time-budget=" + virtualMillis));
            command.addAll(List.of(mode));
            command.add(url);
            // output into files: a pipe nobody reads while waiting could stall Chromium
            Process p = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("Chromium did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("Chromium exited with " + p.exitValue() + ":\n" + Files.readString(stderr));
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
