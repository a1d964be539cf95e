package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.ExportRequest;
import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds and removes exports the way an operator's etc/ file does: as factory configurations of
 * {@value ExportComponent#PID}, which ConfigAdmin keeps across restarts and each {@link ExportComponent} turns into an
 * export of the registry.
 */
final class ExportConfigurations {

    private static final Logger LOG = LoggerFactory.getLogger(ExportConfigurations.class);
    /** What an export name may hold: no path separators (those are search-path files) and nothing a shell quotes. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]+");

    private static final int MAX_NAME_BYTES = 255;
    private static final long POLL_MS = 50;

    private final ConfigurationAdmin configurationAdmin;
    private final ExportRegistry registry;

    ExportConfigurations(ConfigurationAdmin configurationAdmin, ExportRegistry registry) {
        this.configurationAdmin = configurationAdmin;
        this.registry = registry;
    }

    ExportInfo add(ExportRequest request, long timeoutMs) throws BlockException {
        String name = request.name() == null ? "" : request.name().trim();
        if (!NAME.matcher(name).matches()
                || name.startsWith(".")
                || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new BlockException(
                    Errno.EINVAL,
                    "export name '" + name + "' must be 1 to " + MAX_NAME_BYTES
                            + " letters, digits or . _ : - and not start with a dot");
        }
        String backend = request.backend() == null ? "" : request.backend().trim();
        if (backend.isEmpty()) {
            throw new BlockException(Errno.EINVAL, "export " + name + " needs a backend");
        }
        if (timeoutMs <= 0) {
            throw new BlockException(Errno.EINVAL, "timeout must be positive, not " + timeoutMs + " ms");
        }
        String[] parameters = request.parameters().toArray(new String[0]);
        String[] allowed = request.allowedSessions().toArray(new String[0]);
        try {
            // the same checks the export's component makes, before anything is stored
            ExportComponent.definition(name, backend, parameters, request.readOnly(), allowed);
        } catch (IllegalArgumentException e) {
            throw new BlockException(Errno.EINVAL, e.getMessage());
        }
        String[] clients;
        try {
            // stored one range an entry, as written: what rnbd:exports and the configuration show
            clients = ClientRanges.parse(request.allowedClients().toArray(new String[0]))
                    .texts()
                    .toArray(new String[0]);
        } catch (IllegalArgumentException e) {
            throw new BlockException(Errno.EINVAL, "export " + name + ": " + e.getMessage());
        }
        Configuration created;
        synchronized (this) {
            if (find(name).isPresent()) {
                throw new BlockException(Errno.EEXIST, "an export named " + name + " is already configured");
            }
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put("name", name);
            properties.put("backend", backend);
            properties.put("parameters", parameters);
            properties.put("readOnly", request.readOnly());
            properties.put("allowedSessions", allowed);
            properties.put("allowedClients", clients);
            try {
                created = configurationAdmin.createFactoryConfiguration(ExportComponent.PID, "?");
                created.update(properties);
            } catch (IOException e) {
                throw new BlockException(Errno.EIO, "cannot store export " + name + ": " + e.getMessage(), e);
            }
        }
        LOG.info("export {} added ({} {}, {})", name, backend, String.join(",", parameters), created.getPid());
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            for (ExportInfo info : registry.exportInfos()) {
                if (info.configured() && info.name().equals(name)) {
                    return info;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new BlockException(
                        Errno.ETIMEDOUT,
                        "export " + name + " is configured but the server has not " + "picked it up within " + timeoutMs
                                + " ms");
            }
            sleep();
        }
    }

    void remove(String name) throws BlockException {
        synchronized (this) {
            Configuration c = find(name)
                    .orElseThrow(() -> new BlockException(Errno.ENOENT, "no configured export named " + name));
            for (ExportInfo info : registry.exportInfos()) {
                if (info.configured() && info.name().equals(name) && info.openCount() > 0) {
                    throw new BlockException(
                            Errno.EBUSY,
                            "export " + name + " is open by " + info.openCount()
                                    + " session(s); close them first (rnbd:close-session)");
                }
            }
            try {
                c.delete();
            } catch (IOException | IllegalStateException e) {
                throw new BlockException(Errno.EIO, "cannot delete export " + name + ": " + e.getMessage(), e);
            }
        }
        LOG.info("export {} removed", name);
    }

    /** The configuration of the export of that name, compared in Java so that no name needs filter escaping. */
    private Optional<Configuration> find(String name) throws BlockException {
        List<Configuration> found = new ArrayList<>();
        try {
            Configuration[] all = configurationAdmin.listConfigurations(
                    "(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + ExportComponent.PID + ")");
            for (Configuration c : all == null ? new Configuration[0] : all) {
                Dictionary<String, Object> p = c.getProperties();
                if (p != null && name.equals(String.valueOf(p.get("name")).trim())) {
                    found.add(c);
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            throw new BlockException(Errno.EIO, "cannot read the export configurations: " + e.getMessage(), e);
        }
        return found.stream().findFirst();
    }

    private static void sleep() throws BlockException {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlockException(Errno.EINTR, "interrupted; the export stays configured");
        }
    }
}
