package dev.rtrs.itests;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import dev.rtrs.test.support.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Assert;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Base of every appliance test: boots the packaged appliance (karaf-assembly's tar.gz, not a stock Karaf)
 * with free ports, and offers shell, bundle and service helpers. A test class extends it, adds
 * {@code @RunWith(PaxExam.class)} and, to change the container, overrides {@link #extraOptions()}.
 */
public abstract class ApplianceTestSupport {

    protected static final long TIMEOUT_MS = 30_000;

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    @Inject
    protected FeaturesService featuresService;

    /** Runs in the build's JVM, before the container is unpacked. */
    @Configuration
    public Option[] config() {
        String dist = System.getProperty("it.karaf.distribution");
        if (dist == null || !new File(dist).isFile()) {
            throw new IllegalStateException("it.karaf.distribution is not the appliance archive: " + dist);
        }
        String localRepo =
                System.getProperty("it.maven.localRepository", System.getProperty("user.home") + "/.m2/repository");
        int httpPort = freePort();
        List<Option> o = new ArrayList<>();
        o.add(karafDistributionConfiguration()
                .frameworkUrl(new File(dist).toURI().toString())
                .karafVersion(System.getProperty("it.karaf.version", "4.4.8"))
                .name("RTRS appliance")
                .unpackDirectory(new File("target/exam"))
                .useDeployFolder(false));
        o.add(configureConsole().ignoreLocalConsole());
        o.add(logLevel(LogLevel.INFO));
        // free ports: a test must never talk to another running appliance
        o.add(editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())));
        o.add(editConfigurationFilePut(
                "etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", Integer.toString(httpPort)));
        o.add(editConfigurationFilePut(
                "etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(freePort())));
        o.add(editConfigurationFilePut(
                "etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(freePort())));
        o.add(systemProperty("it.httpPort").value(Integer.toString(httpPort)));
        // the demo's RNBD server, its mapping and the NBD gateway get free ports too
        int rnbdPort = freePort();
        int nbdPort = freePort();
        o.add(editConfigurationFilePut("etc/dev.rtrs.block.server.RnbdServer.cfg", "port", Integer.toString(rnbdPort)));
        o.add(editConfigurationFilePut(
                "etc/dev.rtrs.block.client.MappedDevice-demo.cfg", "port", Integer.toString(rnbdPort)));
        o.add(editConfigurationFilePut("etc/dev.rtrs.block.client.NbdGateway.cfg", "port", Integer.toString(nbdPort)));
        o.add(systemProperty("it.nbdPort").value(Integer.toString(nbdPort)));
        o.add(systemProperty("it.rnbdPort").value(Integer.toString(rnbdPort)));
        // the container resolves Pax Exam's own feature from Maven Central and the build's local repository only
        o.add(editConfigurationFilePut(
                "etc/org.ops4j.pax.url.mvn.cfg",
                "org.ops4j.pax.url.mvn.repositories",
                "https://repo1.maven.org/maven2@id=central"));
        o.add(editConfigurationFilePut(
                "etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", localRepo));
        o.add(java17Options());
        if (Boolean.getBoolean("it.keepRuntime")) {
            o.add(keepRuntimeFolder());
        }
        o.addAll(extraOptions());
        return o.toArray(new Option[0]);
    }

    /** Options a test class adds to the container (configuration edits, system properties). */
    protected List<Option> extraOptions() {
        return List.of();
    }

    /** The module flags bin/karaf passes on Java 9+, which Pax Exam's runner does not add. */
    private static Option java17Options() {
        String v = System.getProperty("it.karaf.version", "4.4.8");
        return vmOptions(
                "--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module",
                "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + v + ".jar",
                "--patch-module",
                "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + v + ".jar",
                "--add-opens",
                "java.base/java.security=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.net=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.util=ALL-UNNAMED",
                "--add-opens",
                "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens",
                "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
                "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
    }

    protected static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command that must fail; its one-line message must name every {@code expected} part. */
    protected String assertError(String command, String... expected) {
        String out;
        try {
            out = executeCommand(command);
        } catch (Exception e) {
            String message = String.valueOf(e.getMessage());
            for (String part : expected) {
                Assert.assertTrue(command + " -> " + message, message.contains(part));
            }
            Assert.assertFalse(command + " -> " + message, message.contains("\n"));
            return message;
        }
        Assert.fail(command + " should fail, but printed: " + out);
        return null;
    }

    /** Runs a shell command in a fresh session; returns what it printed (and its result, if any). */
    protected String executeCommand(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), ps, ps);
        try {
            Object result = session.execute(command);
            if (result != null) {
                ps.println(result);
            }
        } finally {
            ps.flush();
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Retries a command until it runs (commands register asynchronously after a bundle starts). */
    protected String executeCommandWithRetry(String command) throws Exception {
        Exception[] last = {null};
        return Await.value(
                () -> {
                    try {
                        return executeCommand(command);
                    } catch (Exception e) {
                        last[0] = e;
                        return null;
                    }
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(200),
                () -> "'" + command + "' never ran: " + last[0]);
    }

    protected Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /** Waits for a service matching an LDAP filter (may be null) of the given type. */
    protected <T> T awaitService(Class<T> type, String filter) throws Exception {
        String f = "(objectClass=" + type.getName() + ")";
        if (filter != null) {
            f = "(&" + f + filter + ")";
        }
        Filter osgiFilter = FrameworkUtil.createFilter(f);
        ServiceTracker<T, T> tracker = new ServiceTracker<>(bundleContext, osgiFilter, null);
        tracker.open();
        try {
            T service = tracker.waitForService(TimeUnit.MILLISECONDS.toMillis(TIMEOUT_MS));
            if (service == null) {
                throw new AssertionError("no service " + f + " within " + TIMEOUT_MS + " ms");
            }
            return service;
        } finally {
            tracker.close();
        }
    }
}
