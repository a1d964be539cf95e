package dev.rtrs.transport.log;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * A warning log that a peer cannot flood: per cause (a fixed word chosen by the code, never peer data), at most
 * {@code burst} lines per window; what goes beyond is counted and reported in one line when the cause next comes
 * up after its window. Log4j's burst filter limits per level, not per cause, and does not say what it dropped,
 * hence this class.
 */
public final class RateLimitedLog {

    /** Causes beyond this many share one window, so that no code path can grow the table without bound. */
    private static final int MAX_CAUSES = 64;

    private final Logger log;
    private final int burst;
    private final long windowNanos;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long start;
        int logged;
        long suppressed;
    }

    public RateLimitedLog(Logger log, int burst, Duration window) {
        this.log = log;
        this.burst = burst;
        this.windowNanos = window.toNanos();
    }

    /** Ten lines per cause every ten seconds. */
    public static RateLimitedLog of(Logger log) {
        return new RateLimitedLog(log, 10, Duration.ofSeconds(10));
    }

    /** Logs a warning unless its cause has used up its lines in this window. */
    public void warn(String cause, String format, Object... args) {
        String key = windows.size() >= MAX_CAUSES && !windows.containsKey(cause) ? "other" : cause;
        Window w = windows.computeIfAbsent(key, k -> new Window());
        long now = System.nanoTime();
        long suppressed = 0;
        boolean emit;
        synchronized (w) {
            if (w.logged == 0 || now - w.start > windowNanos) {
                suppressed = w.suppressed;
                w.start = now;
                w.logged = 0;
                w.suppressed = 0;
            }
            emit = w.logged < burst;
            if (emit) {
                w.logged++;
            } else {
                w.suppressed++;
            }
        }
        if (suppressed > 0) {
            log.warn("{}: {} similar warnings suppressed", key, suppressed);
        }
        if (emit) {
            log.warn(format, args);
        }
    }

    /** Warnings of {@code cause} not logged in its current window, for tests and statistics. */
    public long suppressed(String cause) {
        Window w = windows.get(cause);
        if (w == null) {
            return 0;
        }
        synchronized (w) {
            return w.suppressed;
        }
    }
}
