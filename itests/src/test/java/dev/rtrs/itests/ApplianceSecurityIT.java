package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.rtrs.test.support.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The packaged appliance's defaults as an operator meets them: no well-known login, an admin password given or made
 * up at first start (and kept only by its owner), and management ports on loopback only.
 */
public class ApplianceSecurityIT {

    private static final Pattern CREATED = Pattern.compile("created user admin with password (\\S+)");

    @Test
    public void aFreshApplianceMakesUpItsAdminPasswordAndOffersNoWellKnownLogin() throws Exception {
        try (UnpackedAppliance a = UnpackedAppliance.unpack(
                        Paths.get("target/security-generated").toAbsolutePath())
                .withGeneratedPassword()) {
            String printed = a.start();
            Matcher m = CREATED.matcher(printed);
            assertTrue("bin/start prints the password once:\n" + printed, m.find());
            assertFalse("the JDK is found on the PATH:\n" + printed, printed.contains("JAVA_HOME not set"));
            String password = m.group(1);
            Path file = a.home.resolve("etc/admin.password");
            assertEquals(password, Files.readString(file).trim());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            String users = Files.readString(a.home.resolve("etc/users.properties"));
            assertTrue(users, users.contains("admin = {CRYPT}"));
            assertFalse("no clear password in users.properties", users.contains(password));
            assertFalse(
                    "no karaf user",
                    Pattern.compile("(?m)^karaf\\s*=").matcher(users).find());

            a.awaitShell("bundle:list -s dev.rtrs.transport.core", Pattern.compile("Active"), 120_000);
            refused(a, "karaf", "karaf");
            refused(a, "admin", "karaf");
            refused(a, "admin", password + "x");
            assertTrue(a.shellAs("admin", password, "jaas:realm-list").contains("karaf"));
            // as the README runs it: bin/client logs in as admin without being told a user or a password
            String plain =
                    a.execWithInput(60, "jaas:realm-list\n", "bin/client", "-a", Integer.toString(a.sshPort), "-b");
            assertTrue("bin/client -b as admin:\n" + plain, plain.contains("karaf"));
            Path clientUsers = a.home.resolve("data/client-etc/users.properties");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(clientUsers)));

            String console = awaitConsole(a, "RTRS appliance ready");
            assertTrue(console, console.contains("NBD export:     " + a.nbdUri("demo")));
            assertTrue(console, console.contains("ssh -p " + a.sshPort + " admin@127.0.0.1"));
            assertTrue(console, console.contains("admin.password"));
            assertFalse(console, console.contains("JAVA_HOME not set"));

            String second = a.exec(60, "bin/status");
            assertFalse(
                    "the password is printed only at the first start:\n" + second,
                    CREATED.matcher(second).find());

            for (int port : List.of(a.sshPort, a.httpPort, a.rmiRegistryPort, a.rmiServerPort, a.nbdPort)) {
                awaitLoopbackOnly(port);
            }
        }
    }

    @Test
    public void aPasswordGivenInTheEnvironmentIsTheAdminPassword() throws Exception {
        try (UnpackedAppliance a =
                UnpackedAppliance.unpack(Paths.get("target/security-given").toAbsolutePath())) {
            String printed = a.start();
            assertFalse(printed, CREATED.matcher(printed).find());
            assertFalse(
                    "no password file when the operator chose the password",
                    Files.exists(a.home.resolve("etc/admin.password")));
            a.awaitShell("bundle:list -s dev.rtrs.transport.core", Pattern.compile("Active"), 120_000);
            refused(a, "karaf", "karaf");
            assertTrue(a.shellAs("admin", a.adminPassword(), "jaas:realm-list").contains("karaf"));
        }
    }

    /** Waits until the appliance's console output holds {@code text}; returns it. */
    private static String awaitConsole(UnpackedAppliance a, String text) throws Exception {
        String[] out = {""};
        return Await.value(
                () -> {
                    out[0] = Files.exists(a.consoleFile()) ? Files.readString(a.consoleFile()) : "";
                    return out[0].contains(text) ? out[0] : null;
                },
                Duration.ofSeconds(150),
                Duration.ofMillis(500),
                () -> "the console never said '" + text + "':\n" + out[0]);
    }

    private static void refused(UnpackedAppliance a, String user, String password) throws Exception {
        try {
            String out = a.shellAs(user, password, "bundle:list");
            fail(user + "/" + password + " logged in:\n" + out);
        } catch (IOException expected) {
            // bin/client exits non-zero when the login fails
        }
    }

    /** The port is listened on, and only on 127.0.0.1 (ss shows the local address of each listening socket). */
    private static void awaitLoopbackOnly(int port) throws Exception {
        List<String> lines = Await.value(
                () -> {
                    String out = UnpackedAppliance.run(Path.of("."), 10, "ss", "-Hltn", "sport = :" + port);
                    List<String> listening =
                            out.lines().filter(l -> !l.isBlank()).toList();
                    return listening.isEmpty() ? null : listening;
                },
                Duration.ofSeconds(60),
                Duration.ofMillis(200),
                () -> "nothing listens on port " + port);
        for (String line : lines) {
            assertTrue(
                    "port " + port + " listens beyond loopback: " + line,
                    Pattern.compile("\\s(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1]|\\[::1]):" + port + "\\s")
                            .matcher(line)
                            .find());
        }
    }
}
