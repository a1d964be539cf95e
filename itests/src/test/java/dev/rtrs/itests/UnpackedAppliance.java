package dev.rtrs.itests;

import dev.rtrs.test.support.Await;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The packaged appliance as an operator has it: the tar.gz unpacked into a folder, driven only through its own
 * {@code bin/} scripts, with free ports so that a test never talks to another running appliance. Unlike a Pax Exam
 * container it can be stopped and started again on the same {@code data/} and {@code etc/}.
 */
final class UnpackedAppliance implements AutoCloseable {

    static final long BOOT_TIMEOUT_MS = 120_000;

    final Path home;
    final int sshPort = freePort();
    final int httpPort = freePort();
    final int rmiRegistryPort = freePort();
    final int rmiServerPort = freePort();
    final int rnbdPort = freePort();
    final int nbdPort = freePort();
    /** The admin password the appliance is started with (RTRS_ADMIN_PASSWORD); null to let it make one up. */
    private String adminPassword = "test-" + Long.toHexString(new Random().nextLong());
    /** The network namespace the appliance and the tools that talk to it run in; null for the machine's own. */
    private String namespace;

    /** Unpacks the archive named by the system property {@code it.karaf.distribution} into {@code parent}. */
    static UnpackedAppliance unpack(Path parent) throws Exception {
        String dist = System.getProperty("it.karaf.distribution");
        if (dist == null || !new File(dist).isFile()) {
            throw new IllegalStateException("it.karaf.distribution is not the appliance archive: " + dist);
        }
        deleteTree(parent);
        Files.createDirectories(parent);
        run(parent, 60, "tar", "xzf", dist, "-C", parent.toString());
        try (Stream<Path> s = Files.list(parent)) {
            Path home = s.filter(Files::isDirectory)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("the archive holds no folder"));
            return new UnpackedAppliance(home.toAbsolutePath());
        }
    }

    private UnpackedAppliance(Path home) throws IOException {
        this.home = home;
        setProperty("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(sshPort));
        setProperty("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", Integer.toString(httpPort));
        setProperty("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(rmiRegistryPort));
        setProperty("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(rmiServerPort));
        setProperty("etc/dev.rtrs.block.server.RnbdServer.cfg", "port", Integer.toString(rnbdPort));
        setProperty("etc/dev.rtrs.block.client.MappedDevice-demo.cfg", "port", Integer.toString(rnbdPort));
        setProperty("etc/dev.rtrs.block.client.NbdGateway.cfg", "port", Integer.toString(nbdPort));
    }

    /** Sets {@code key = value} in a configuration file of the appliance, replacing the key's line if there is one. */
    void setProperty(String file, String key, String value) throws IOException {
        Path f = home.resolve(file);
        List<String> lines = Files.exists(f) ? new ArrayList<>(Files.readAllLines(f)) : new ArrayList<>();
        Pattern p = Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:].*$");
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (p.matcher(lines.get(i)).matches()) {
                lines.set(i, key + " = " + value);
                replaced = true;
            }
        }
        if (!replaced) {
            lines.add(key + " = " + value);
        }
        Files.write(f, lines);
    }

    /** Runs the appliance, and the tools that talk to it, in a network namespace (created by the caller). */
    UnpackedAppliance inNamespace(String name) {
        this.namespace = name;
        return this;
    }

    String namespaceName() {
        return namespace;
    }

    /** Runs a program in the appliance's folder (and namespace); returns its output. */
    String exec(long timeoutSeconds, String... command) throws Exception {
        return execWithInput(timeoutSeconds, "", command);
    }

    /** Runs a program in the appliance's folder with {@code input} on its standard input; returns its output. */
    String execWithInput(long timeoutSeconds, String input, String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (namespace != null) {
            full.addAll(List.of("ip", "netns", "exec", namespace));
        }
        full.addAll(Arrays.asList(command));
        // the first script that runs creates the admin user, with this password when there is one; bin/start sends
        // the appliance's console output to the console file
        Map<String, String> env = new HashMap<>();
        env.put("KARAF_REDIRECT", consoleFile().toString());
        if (adminPassword != null) {
            env.put("RTRS_ADMIN_PASSWORD", adminPassword);
        }
        return runWithInput(home, timeoutSeconds, input, env, full.toArray(new String[0]));
    }

    /** Where the console output of an appliance started with {@link #start()} goes. */
    Path consoleFile() {
        return home.resolveSibling(home.getFileName() + "-console.out");
    }

    /** Starts without RTRS_ADMIN_PASSWORD: the appliance makes the admin password up. */
    UnpackedAppliance withGeneratedPassword() {
        adminPassword = null;
        return this;
    }

    /** The admin password: the one given, or the one the appliance made up (from etc/admin.password). */
    String adminPassword() throws IOException {
        return adminPassword != null
                ? adminPassword
                : Files.readString(home.resolve("etc/admin.password")).trim();
    }

    String nbdUri(String export) {
        return "nbd://127.0.0.1:" + nbdPort + "/" + export;
    }

    /** {@code bin/start}: returns what it printed once the launcher has put the appliance in the background. */
    String start() throws Exception {
        return exec(60, "bin/start");
    }

    /** {@code bin/stop}, then waits until the appliance's JVM has exited. */
    void stop() throws Exception {
        exec(60, "bin/stop");
        Await.value(
                () -> process().isPresent() ? null : Boolean.TRUE,
                Duration.ofMillis(BOOT_TIMEOUT_MS),
                Duration.ofMillis(200),
                () -> "the appliance in " + home + " still runs " + BOOT_TIMEOUT_MS + " ms after bin/stop");
    }

    /** The appliance's JVM (the one started with this folder as karaf.base), if it runs. */
    Optional<ProcessHandle> process() {
        String marker = "-Dkaraf.base=" + home;
        return ProcessHandle.allProcesses()
                .filter(ph -> ph.info()
                        .arguments()
                        .map(a -> Arrays.asList(a).contains(marker))
                        .orElse(false))
                .findFirst();
    }

    /** Runs one shell command through {@code bin/client} (SSH on the appliance's port); returns what it printed. */
    String shell(String command) throws Exception {
        // batch mode reads the command from stdin (with stdin at its end and the command as an argument, the
        // client prints only "Closed")
        return shellAs("admin", adminPassword(), command);
    }

    /** Runs one shell command through {@code bin/client} as the given user. */
    String shellAs(String user, String password, String command) throws Exception {
        return execWithInput(
                60, command + "\n", "bin/client", "-a", Integer.toString(sshPort), "-u", user, "-p", password, "-b");
    }

    /** Retries a shell command until the shell is up and the command's output matches. */
    String awaitShell(String command, Pattern expected, long timeoutMs) throws Exception {
        String[] last = {""};
        return Await.value(
                () -> {
                    try {
                        last[0] = shell(command);
                        return expected.matcher(last[0]).find() ? last[0] : null;
                    } catch (IOException e) {
                        last[0] = e.getMessage();
                        return null;
                    }
                },
                Duration.ofMillis(timeoutMs),
                Duration.ofMillis(500),
                () -> "'" + command + "' did not print " + expected + " within " + timeoutMs + " ms; last output:\n"
                        + last[0]);
    }

    /** Waits until an NBD client can open the export at the appliance's gateway; returns nbdinfo's output. */
    String awaitNbdExport(String export, long timeoutMs) throws Exception {
        String[] last = {""};
        return Await.value(
                () -> {
                    try {
                        return exec(30, "nbdinfo", nbdUri(export));
                    } catch (IOException e) {
                        last[0] = e.getMessage();
                        return null;
                    }
                },
                Duration.ofMillis(timeoutMs),
                Duration.ofMillis(500),
                () -> "NBD export " + export + " not served within " + timeoutMs + " ms: " + last[0] + "\nlog tail:\n"
                        + tailOrError());
    }

    /** The log's last 40 lines, or why they cannot be read: for failure messages. */
    private String tailOrError() {
        try {
            return logTail(40);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    String logTail(int lines) throws IOException {
        Path log = home.resolve("data/log/karaf.log");
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public void close() throws Exception {
        if (process().isPresent()) {
            try {
                stop();
            } finally {
                process().ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Runs a program; returns its output (stdout and stderr), or throws with it when it fails or overruns. */
    static String run(Path dir, long timeoutSeconds, String... command) throws Exception {
        return runWithInput(dir, timeoutSeconds, "", Map.of(), command);
    }

    /** {@link #run}, with {@code input} on the program's stdin. */
    static String runWithInput(Path dir, long timeoutSeconds, String input, String... command) throws Exception {
        return runWithInput(dir, timeoutSeconds, input, Map.of(), command);
    }

    /** {@link #run}, with {@code input} on the program's stdin and {@code env} added to its environment. */
    static String runWithInput(Path dir, long timeoutSeconds, String input, Map<String, String> env, String... command)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("appliance-run", ".out");
        Path in = Files.createTempFile("appliance-run", ".in");
        Files.writeString(in, input);
        pb.redirectOutput(out.toFile());
        pb.redirectInput(in.toFile());
        try {
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " still runs after " + timeoutSeconds + " s: "
                        + Files.readString(out));
            }
            String output = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(in);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
