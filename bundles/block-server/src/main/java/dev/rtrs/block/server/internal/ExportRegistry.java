package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportStatistics;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a device name leads: first the configured exports, then a file under the search path (opened with the
 * {@code file} backend, as the kernel does). Tracks the backends present, so that exports lose their device when
 * its backend goes and get it back when the backend returns. Thread-safe.
 */
final class ExportRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ExportRegistry.class);
    static final String FILE_BACKEND = "file";
    /** The file backend's parameter that names its file. */
    static final String FILE_PATH = "path";

    private final Map<String, ExportDefinition> configured = new ConcurrentHashMap<>();
    private final Map<String, BlockBackend> backends = new ConcurrentHashMap<>();
    /** Exports that are open now, by name (search-path exports by their real path). */
    private final Map<String, Export> active = new ConcurrentHashMap<>();

    /** Opens and errors per export name, for the configured exports and the search-path files opened. */
    private final Map<String, ExportCounters> counters = new ConcurrentHashMap<>();

    private volatile SearchPath searchPath;
    private volatile ClientRanges searchPathClients = ClientRanges.ANY;

    ExportRegistry(String searchPathTemplate) {
        this.searchPath = new SearchPath(searchPathTemplate);
    }

    void searchPath(String template) {
        this.searchPath = new SearchPath(template);
    }

    String searchPath() {
        return searchPath.template();
    }

    /** The client addresses whose sessions may open files under the search path. */
    void searchPathClients(ClientRanges ranges) {
        this.searchPathClients = ranges;
    }

    private ExportCounters countersOf(String name) {
        return counters.computeIfAbsent(name, n -> new ExportCounters());
    }

    /** Opens and errors per export name since the server started. */
    Map<String, ExportStatistics> statistics() {
        Map<String, ExportStatistics> all = new TreeMap<>();
        counters.forEach((name, c) -> all.put(name, c.snapshot()));
        return all;
    }

    void addDefinition(ExportDefinition d) {
        configured.put(d.name(), d);
    }

    void removeDefinition(ExportDefinition d) {
        if (configured.remove(d.name(), d)) {
            synchronized (this) {
                Export e = active.get(d.name());
                if (e != null && e.definition == d) {
                    e.unconfigure();
                    if (e.disposable()) {
                        active.remove(d.name(), e);
                    }
                }
            }
        }
    }

    List<ExportDefinition> definitions() {
        return List.copyOf(configured.values());
    }

    List<Export> activeExports() {
        return List.copyOf(active.values());
    }

    void addBackend(BlockBackend b) {
        backends.put(b.type(), b);
        for (Export e : active.values()) {
            if (e.definition.backend().equals(b.type()) && e.device() == null) {
                e.attach(b);
                if (e.device() != null) {
                    LOG.info(
                            "export {}: backend {} is back; the export serves IO again", e.definition.name(), b.type());
                }
            }
        }
    }

    void removeBackend(BlockBackend b) {
        backends.remove(b.type(), b);
        for (Export e : active.values()) {
            e.detach(b);
        }
    }

    /**
     * Opens {@code deviceName} for a session: finds or creates the export and registers the opener.
     *
     * @throws BlockException with the errno for OPEN_RSP: ENOENT, EINVAL, EACCES, EROFS, EPERM, ENODEV
     */
    Export open(String session, List<InetAddress> clients, String deviceName, AccessMode mode) throws BlockException {
        ExportDefinition d = configured.get(deviceName);
        boolean keep = d != null;
        if (d == null) {
            // only names that lead to an existing file get this far: what counters a peer can create is bounded
            Path path = searchPath.resolve(session, deviceName);
            d = new ExportDefinition(
                    path.toString(),
                    FILE_BACKEND,
                    Map.of(FILE_PATH, path.toString()),
                    !Files.isWritable(path),
                    Set.of(),
                    searchPathClients);
        }
        ExportDefinition definition = d;
        ExportCounters count = countersOf(definition.name());
        synchronized (this) {
            Export e = active.computeIfAbsent(definition.name(), n -> new Export(definition, keep, count));
            try {
                e.open(session, clients, mode, backends.get(definition.backend()));
            } catch (BlockException ex) {
                count.refused();
                if (e.disposable()) {
                    active.remove(definition.name(), e);
                }
                throw ex;
            }
            count.opened();
            return e;
        }
    }

    /** Drops an opener; forgets the export after its last one. */
    void close(Export e, AccessMode mode) {
        synchronized (this) {
            e.close(mode);
            if (e.disposable()) {
                active.remove(e.definition.name(), e);
            }
        }
    }

    /**
     * The configured exports, then the search-path exports that are open, by name. A configured export nobody opened
     * yet is available when its backend is present (its storage opens with the first client).
     */
    List<ExportInfo> exportInfos() {
        List<Listed> listed = new ArrayList<>();
        synchronized (this) {
            for (ExportDefinition d : configured.values()) {
                Export e = active.get(d.name());
                boolean live = e != null && e.definition == d;
                boolean available = live ? e.device() != null : backends.containsKey(d.backend());
                listed.add(new Listed(d, true, live ? e.openCount() : 0, available, live ? e.device() : null));
            }
            for (Export e : active.values()) {
                if (configured.get(e.definition.name()) != e.definition) {
                    listed.add(new Listed(e.definition, false, e.openCount(), e.device() != null, e.device()));
                }
            }
        }
        // sizes outside the lock: a file's length is a file system call
        List<ExportInfo> list = new ArrayList<>();
        for (Listed l : listed) {
            ExportDefinition d = l.definition;
            list.add(new ExportInfo(
                    d.name(),
                    d.backend(),
                    d.parameters(),
                    d.readOnly(),
                    l.configured,
                    l.openCount,
                    l.available,
                    l.device != null ? l.device.size() : fileLength(d),
                    d.allowedClients().texts()));
        }
        list.sort(Comparator.comparing(ExportInfo::name));
        return list;
    }

    /** What {@link #exportInfos()} reads of an export under the lock. */
    private record Listed(
            ExportDefinition definition, boolean configured, int openCount, boolean available, BlockDevice device) {}

    /** The length of a file export's regular file, without opening it; -1 for anything else or when unreadable. */
    private static long fileLength(ExportDefinition d) {
        String path = d.parameters().get(FILE_PATH);
        if (!FILE_BACKEND.equals(d.backend()) || path == null) {
            return -1;
        }
        try {
            Path file = Path.of(path);
            return Files.isRegularFile(file) ? Files.size(file) : -1;
        } catch (IOException | InvalidPathException | SecurityException e) {
            return -1;
        }
    }

    /** Names of configured exports, for listings. */
    List<String> names() {
        return new ArrayList<>(configured.keySet());
    }

    static BlockException noDevice() {
        return new BlockException(Errno.EIO, "export storage is not available");
    }
}
