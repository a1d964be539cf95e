package dev.rtrs.block.backend.memory.internal;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.backend.AbstractBlockBackend;
import dev.rtrs.block.backend.ExportParameters;
import dev.rtrs.errno.Errno;
import java.lang.annotation.Annotation;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code memory} backend: each export lives in off-heap memory, zeroed when opened and released when closed.
 * The demo and benchmark default. Deactivation (the bundle going away) closes every device it opened.
 */
@Component(
        name = MemoryBackend.PID,
        service = BlockBackend.class,
        property = BlockBackend.TYPE + "=" + MemoryBackend.TYPE)
@Designate(ocd = MemoryBackendConfig.class)
public final class MemoryBackend extends AbstractBlockBackend {

    static final String PID = "dev.rtrs.block.backend.memory.MemoryBackend";
    static final String TYPE = "memory";
    /** Export parameter: bytes, with an optional K, M, G or T suffix. */
    static final String SIZE = "size";

    private static final Logger LOG = LoggerFactory.getLogger(MemoryBackend.class);

    private final int slabShift;
    private final AtomicLong used = new AtomicLong();
    private volatile long capacity;

    @Activate
    public MemoryBackend(MemoryBackendConfig config) {
        this(config, MemoryDevice.SLAB_SHIFT);
    }

    /** A backend with the default configuration, for use without OSGi (tests, benchmarks, embedding). */
    public static MemoryBackend withDefaults() {
        return new MemoryBackend(new MemoryBackendConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return MemoryBackendConfig.class;
            }

            @Override
            public String capacity() {
                return "0";
            }
        });
    }

    /** With smaller slabs, so that tests cross slab boundaries without gigabytes of memory. */
    MemoryBackend(MemoryBackendConfig config, int slabShift) {
        super(TYPE);
        this.slabShift = slabShift;
        this.capacity = capacity(config, 0);
    }

    @Modified
    void modified(MemoryBackendConfig config) {
        capacity = capacity(config, capacity);
    }

    /** Closes every device this backend opened; their operations fail with EIO from now on. */
    @Deactivate
    public void deactivate() {
        int closed = stop();
        if (closed > 0) {
            LOG.info("memory backend stopped: closed {} export(s)", closed);
        }
    }

    /** Allocates and zeroes the export's memory; blocks while it does (about a second per 4 GiB). */
    @Override
    public BlockDevice open(ExportSpec spec) throws BlockException {
        ensureActive(spec);
        ExportParameters.required(spec, SIZE);
        long size = ExportParameters.size(spec, SIZE).getAsLong();
        int blockSize = ExportParameters.logicalBlockSize(spec).orElse(ExportParameters.DEFAULT_LOGICAL_BLOCK_SIZE);
        if (size <= 0 || size % blockSize != 0) {
            throw new BlockException(
                    Errno.EINVAL,
                    "export '" + spec.name() + "': size " + size
                            + " is not a positive multiple of the logical block size " + blockSize);
        }
        Set<String> unknown = ExportParameters.unknown(spec, SIZE, ExportParameters.LOGICAL_BLOCK_SIZE);
        if (!unknown.isEmpty()) {
            LOG.warn("export '{}': ignoring parameters the memory backend does not know: {}", spec.name(), unknown);
        }
        reserve(spec, size);
        MemoryDevice device;
        try {
            device = new MemoryDevice(spec.name(), size, blockSize, spec.readOnly(), slabShift, this::closed);
        } catch (OutOfMemoryError e) {
            used.addAndGet(-size);
            LOG.warn("export '{}': cannot allocate {} bytes of direct memory: {}", spec.name(), size, e.getMessage());
            throw new BlockException(
                    Errno.ENOMEM,
                    "export '" + spec.name() + "': cannot allocate " + size
                            + " bytes of direct memory (raise -XX:MaxDirectMemorySize)");
        }
        register(spec, device);
        LOG.info(
                "export '{}': {} bytes of memory, {}-byte blocks{}",
                spec.name(),
                size,
                blockSize,
                spec.readOnly() ? ", read-only" : "");
        return device;
    }

    /** Bytes held by open exports. */
    long used() {
        return used.get();
    }

    private void reserve(ExportSpec spec, long size) throws BlockException {
        long limit = capacity;
        while (true) {
            long now = used.get();
            if (limit > 0 && size > limit - now) {
                throw new BlockException(
                        Errno.ENOMEM,
                        "export '" + spec.name() + "': " + size + " bytes would exceed "
                                + "the memory backend's capacity of " + limit + " bytes (" + now + " in use)");
            }
            if (used.compareAndSet(now, now + size)) {
                return;
            }
        }
    }

    /** Called once per device, by its close. */
    private void closed(MemoryDevice device) {
        forget(device);
        used.addAndGet(-device.size());
    }

    private static long capacity(MemoryBackendConfig config, long previous) {
        try {
            long value = ExportParameters.parseSize(config.capacity());
            LOG.debug("memory backend capacity: {} bytes", value);
            return value;
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "memory backend: capacity '{}' is not a size (bytes, with an optional K, M, G or T suffix); "
                            + "keeping {}",
                    config.capacity(),
                    previous == 0 ? "no limit" : previous + " bytes");
            return previous;
        }
    }
}
