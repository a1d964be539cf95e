package dev.rtrs.transport.core.internal.server;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a server's link listener of sessions and paths, in the order the events were queued, one at a time on a
 * thread of its own (which ends when idle), so that no transport lock is held while the listener runs.
 */
final class LinkEvents {

    private static final Logger LOG = LoggerFactory.getLogger(LinkEvents.class);

    private final String threadName;
    private final ThreadPoolExecutor executor;

    LinkEvents(String threadName) {
        this.threadName = threadName;
        this.executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
    }

    /** Queues an event; after {@link #close} it is dropped. Non-blocking. */
    void tell(Runnable event) {
        try {
            executor.execute(() -> {
                try {
                    event.run();
                } catch (RuntimeException e) {
                    LOG.error("RTRS server link listener failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("link event after the server closed: dropped");
        }
    }

    /**
     * Tells what is queued, then stops; waits up to 10 s for the listener unless called from the listener itself.
     *
     * @return false when the listener was still busy after 10 s
     */
    boolean close() {
        executor.shutdown();
        if (Thread.currentThread().getName().equals(threadName)) {
            return true;
        }
        try {
            return executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
