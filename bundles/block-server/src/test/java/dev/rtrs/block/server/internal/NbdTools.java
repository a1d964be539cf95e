package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real NBD tools of Debian's libnbd-bin, fio and qemu-utils. Where they are not installed the tests
 * that need them are skipped, unless RTRS_REQUIRE_NBD_TOOLS=1 (set by .ci/run, which installs them).
 */
final class NbdTools {

    private NbdTools() {}

    static void require(String tool) {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            present |= new File(dir, tool).canExecute();
        }
        if (!present && "1".equals(System.getenv("RTRS_REQUIRE_NBD_TOOLS"))) {
            fail(tool + " is not installed (apt-get install libnbd-bin fio qemu-utils)");
        }
        Assumptions.assumeTrue(present, tool + " not installed: skipped");
    }

    /** Runs a command (bounded to 120 s); returns its output, failing the test on a non-zero exit. */
    static String run(List<String> command) throws IOException, InterruptedException {
        require(command.get(0));
        return run(new ProcessBuilder(command), command);
    }

    /**
     * Runs a Python script in nbdsh (Debian: python3-libnbd) connected to {@code uri} with base:allocation asked
     * for, with the handle {@code h}; returns what it prints. nbdsh is a program of Debian's python3, where its nbd module lives: /usr/bin goes
     * first on the PATH, so that another python3 (pyenv, a virtualenv) does not run it without that module.
     */
    static String nbdsh(String uri, String script) throws IOException, InterruptedException {
        require("nbdsh");
        List<String> command = List.of("nbdsh", "--base-allocation", "-u", uri, "-c", script);
        ProcessBuilder b = new ProcessBuilder(command);
        b.environment().put("PATH", "/usr/bin:/bin:" + b.environment().getOrDefault("PATH", ""));
        return run(b, command);
    }

    private static String run(ProcessBuilder builder, List<String> command) throws IOException, InterruptedException {
        Process p = builder.redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish within 120 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail(command + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }
}
