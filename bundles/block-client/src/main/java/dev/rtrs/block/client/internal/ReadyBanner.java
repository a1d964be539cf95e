package dev.rtrs.block.client.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator at the console what the appliance serves once it does: when every configured mapped device is
 * exported by the NBD gateway, a short banner with the NBD URIs, the shell, the web console and where the admin
 * password is. While a device is still being mapped a line says so; after two minutes the banner comes anyway,
 * naming what is still being mapped. Printed on standard output (the console of {@code bin/karaf server}) and
 * logged.
 */
@Component(immediate = true)
public final class ReadyBanner {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyBanner.class);
    private static final int MAPPING_NOTICE_AFTER_S = 3;
    private static final int GIVE_UP_AFTER_S = 120;

    private final ConfigurationAdmin configurationAdmin;
    private final NbdGatewayComponent gateway;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rtrs-banner");
        t.setDaemon(true);
        return t;
    });
    private int seconds;
    private boolean mappingNoticed;

    @Activate
    public ReadyBanner(@Reference ConfigurationAdmin configurationAdmin, @Reference NbdGatewayComponent gateway) {
        this.configurationAdmin = configurationAdmin;
        this.gateway = gateway;
        timer.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    private void check() {
        seconds++;
        Set<String> pending = new TreeSet<>(configuredDevices());
        pending.removeAll(gateway.exportNames());
        if (pending.isEmpty() || seconds >= GIVE_UP_AFTER_S) {
            print(banner(pending));
            timer.shutdown();
        } else if (seconds >= MAPPING_NOTICE_AFTER_S && !mappingNoticed) {
            mappingNoticed = true;
            print(List.of("RTRS appliance: mapping " + String.join(", ", pending)
                    + " (the server may still be starting; rnbd:devices shows the state)"));
        }
    }

    private List<String> banner(Set<String> pending) {
        InetSocketAddress nbd = gateway.address();
        String host = nbd.getAddress().getHostAddress();
        List<String> lines = new ArrayList<>();
        lines.add("RTRS appliance ready");
        List<String> exports = new ArrayList<>(new TreeSet<>(gateway.exportNames()));
        if (exports.isEmpty()) {
            lines.add("  NBD gateway:    nbd://" + host + ":" + nbd.getPort() + "/ (no device mapped)");
        }
        for (String name : exports) {
            lines.add("  NBD export:     nbd://" + host + ":" + nbd.getPort() + "/" + name);
        }
        if (!pending.isEmpty()) {
            lines.add("  still mapping:  " + String.join(", ", pending) + " (see rnbd:devices)");
        }
        String sshHost = property("org.apache.karaf.shell", "sshHost", "127.0.0.1");
        lines.add("  shell:          bin/client, or ssh -p " + property("org.apache.karaf.shell", "sshPort", "8101")
                + " admin@" + ("0.0.0.0".equals(sshHost) ? "127.0.0.1" : sshHost));
        lines.add("  web console:    http://"
                + firstAddress(property("org.ops4j.pax.web", "org.ops4j.pax.web.listening.addresses", "127.0.0.1"))
                + ":"
                + property("org.ops4j.pax.web", "org.osgi.service.http.port", "8181") + "/system/console/rtrs");
        String etc = System.getProperty("karaf.etc", "etc");
        lines.add(
                Files.exists(Path.of(etc, "admin.password"))
                        ? "  admin password: in " + Path.of(etc, "admin.password") + " (readable by its owner only)"
                        : "  admin password: the one given in RTRS_ADMIN_PASSWORD at the first start");
        return lines;
    }

    private static String firstAddress(String addresses) {
        String first = addresses.split(",")[0].trim();
        return first.isEmpty() || "0.0.0.0".equals(first) ? "127.0.0.1" : first;
    }

    private void print(List<String> lines) {
        for (String line : lines) {
            System.out.println(line);
            LOG.info(line);
        }
        System.out.flush();
    }

    /** Names of the configured mapped devices. */
    private List<String> configuredDevices() {
        List<String> names = new ArrayList<>();
        try {
            Configuration[] all = configurationAdmin.listConfigurations(
                    "(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + MappedDeviceComponent.PID + ")");
            for (Configuration c : all == null ? new Configuration[0] : all) {
                Dictionary<String, Object> p = c.getProperties();
                if (p != null && p.get(MappingConfigs.NAME) != null) {
                    names.add(String.valueOf(p.get(MappingConfigs.NAME)));
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.debug("mapped-device configurations not readable: {}", e.getMessage());
        }
        return names;
    }

    /** A property of an existing configuration (looked up without creating one), or {@code fallback}. */
    private String property(String pid, String key, String fallback) {
        try {
            Configuration[] found = configurationAdmin.listConfigurations("(service.pid=" + pid + ")");
            Dictionary<String, Object> p = found == null ? null : found[0].getProperties();
            Object v = p == null ? null : p.get(key);
            return v == null ? fallback : String.valueOf(v).trim();
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            return fallback;
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }
}
