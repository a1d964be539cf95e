package dev.rtrs.block.backend.file.internal;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.backend.AbstractBlockBackend;
import dev.rtrs.block.backend.ExportParameters;
import dev.rtrs.errno.Errno;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file} backend: each export is a regular file or a block device, read and written with FileChannel
 * on a small pool of IO threads shared by all its exports. The pool's queue is not bounded: the callers bound
 * it, since an RNBD session has at most queue_depth IOs in flight. Deactivation (the bundle going away) closes
 * every device it opened, then fails whatever IO is left with EIO.
 */
@Component(name = FileBackend.PID, service = BlockBackend.class, property = BlockBackend.TYPE + "=" + FileBackend.TYPE)
@Designate(ocd = FileBackendConfig.class)
public final class FileBackend extends AbstractBlockBackend {

    static final String PID = "dev.rtrs.block.backend.file.FileBackend";
    static final String TYPE = "file";
    static final int MAX_IO_THREADS = 64;
    /** How long deactivation waits for the IO threads to finish what the closed devices left. */
    private static final long STOP_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(FileBackend.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final SysfsBlockDevices sysfs;
    private final ThreadPoolExecutor executor;

    @Activate
    public FileBackend(FileBackendConfig config) {
        this(config, SysfsBlockDevices.system());
    }

    /** A backend with the default configuration, for use without OSGi (tests, benchmarks, embedding). */
    public static FileBackend withDefaults() {
        return new FileBackend(new FileBackendConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return FileBackendConfig.class;
            }

            @Override
            public int ioThreads() {
                return 4;
            }
        });
    }

    FileBackend(FileBackendConfig config, SysfsBlockDevices sysfs) {
        super(TYPE);
        this.sysfs = sysfs;
        int threads = threads(config);
        executor = new ThreadPoolExecutor(
                threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threadFactory());
        executor.allowCoreThreadTimeOut(true); // an idle backend holds no threads
    }

    /** Resizes the IO thread pool; open exports keep running. */
    @Modified
    void modified(FileBackendConfig config) {
        int threads = threads(config);
        if (threads > executor.getMaximumPoolSize()) {
            executor.setMaximumPoolSize(threads);
            executor.setCorePoolSize(threads);
        } else {
            executor.setCorePoolSize(threads);
            executor.setMaximumPoolSize(threads);
        }
        LOG.info("file backend: {} IO threads", threads);
    }

    /** Closes every device this backend opened and stops the IO threads; pending IO completes with EIO. */
    @Deactivate
    public void deactivate() {
        int closed = stop();
        executor.shutdown();
        boolean stopped = false;
        try {
            stopped = executor.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stopped) {
            // only now may the IO threads be interrupted: every channel is closed already
            List<Runnable> left = executor.shutdownNow();
            for (Runnable r : left) {
                ((FileDevice.IoTask) r).complete(Errno.EIO);
            }
            LOG.warn(
                    "file backend: IO threads still busy after {} s; failed {} queued operation(s)",
                    STOP_SECONDS,
                    left.size());
        }
        if (closed > 0) {
            LOG.info("file backend stopped: closed {} export(s)", closed);
        }
    }

    /** Opens the file or block device; blocks while it does (and while it creates a file). */
    @Override
    public BlockDevice open(ExportSpec spec) throws BlockException {
        ensureActive(spec);
        Set<String> unknown = ExportParameters.unknown(
                spec, FileStorage.PATH, FileStorage.CREATE, FileStorage.SIZE, ExportParameters.LOGICAL_BLOCK_SIZE);
        if (!unknown.isEmpty()) {
            LOG.warn("export '{}': ignoring parameters the file backend does not know: {}", spec.name(), unknown);
        }
        return register(
                spec,
                new FileDevice(spec.name(), FileStorage.open(spec, sysfs), spec.readOnly(), executor, this::forget));
    }

    /** Current size of the IO thread pool's limit (for tests). */
    int ioThreads() {
        return executor.getMaximumPoolSize();
    }

    private static int threads(FileBackendConfig config) {
        int threads = config.ioThreads();
        if (threads < 1 || threads > MAX_IO_THREADS) {
            int clamped = Math.max(1, Math.min(MAX_IO_THREADS, threads));
            LOG.warn("file backend: ioThreads {} is outside [1, {}], using {}", threads, MAX_IO_THREADS, clamped);
            return clamped;
        }
        return threads;
    }

    private static ThreadFactory threadFactory() {
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "rnbd-file-io-" + pool + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
