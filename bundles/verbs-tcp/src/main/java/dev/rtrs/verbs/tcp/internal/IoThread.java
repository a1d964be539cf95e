package dev.rtrs.verbs.tcp.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provider IO thread: a selector loop that owns its queue-pair sockets (every read, write, acknowledgement
 * and completion of a socket's queue pair happens here), a task queue other threads hand work to, timers, the
 * completion-queue notifications, fired once per cycle rather than once per completion, and the
 * {@link SocketWatch} of its sockets.
 */
final class IoThread implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(IoThread.class);

    /** What is registered with the selector. */
    interface Handler {

        /** The channel is ready for the key's ready operations. */
        void onReady(SelectionKey key);

        /** An unexpected exception escaped {@link #onReady}; the handler must close itself. */
        void onFailure(Throwable failure);

        /** The IO thread stops: close abruptly, deliver no events. */
        void onShutdown();
    }

    /** A one-shot timer; cancel() is called on the IO thread. */
    static final class Timer implements Comparable<Timer> {
        private final long deadline;
        private final Runnable task;
        private boolean cancelled;

        private Timer(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            return Long.compare(deadline, o.deadline);
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final ArrayDeque<Runnable> runnable = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private ArrayList<TcpCompletionQueue> notifications = new ArrayList<>();
    private ArrayList<TcpCompletionQueue> firing = new ArrayList<>();
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private final SocketWatch watch = new SocketWatch(this);
    /** Set while the loop may block in select: only then do other threads pay for a wake-up. */
    private volatile boolean sleeping;

    private volatile boolean stopping;

    IoThread(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The sockets this thread owns. IO thread only. */
    SocketWatch watch() {
        return watch;
    }

    boolean inThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this thread, after the current cycle when called from it. Any thread; non-blocking. */
    void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
        }
        if (sleeping && !inThread()) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} on this thread after {@code delayNanos}. IO thread only. */
    Timer schedule(long delayNanos, Runnable task) {
        Timer t = new Timer(System.nanoTime() + delayNanos, task);
        timers.add(t);
        return t;
    }

    /** Registers a channel with this thread's selector. IO thread only. */
    SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws ClosedChannelException {
        return channel.register(selector, ops, handler);
    }

    /** Queues a completion queue's notification for the end of this cycle. IO thread only. */
    void notifyLater(TcpCompletionQueue cq) {
        if (!cq.notificationQueued) {
            cq.notificationQueued = true;
            notifications.add(cq);
        }
    }

    /** Stops the loop, closing every channel abruptly; waits at most {@code timeoutMs} for the thread. */
    void stop(long timeoutMs) {
        stopping = true;
        selector.wakeup();
        if (!inThread()) {
            try {
                thread.join(timeoutMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        while (!stopping) {
            try {
                runTasks();
                fireNotifications();
                long timeoutMs = nextTimeoutMs();
                sleeping = true;
                boolean pending = !notifications.isEmpty();
                synchronized (tasks) {
                    pending |= !tasks.isEmpty();
                }
                if (pending || timeoutMs < 0) {
                    selector.selectNow(dispatch);
                } else {
                    selector.select(dispatch, timeoutMs);
                }
                sleeping = false;
                fireNotifications();
                runTimers();
                fireNotifications();
            } catch (Throwable t) {
                sleeping = false;
                LOG.error("{}: unexpected failure in the IO loop", thread.getName(), t);
            }
        }
        shutdown();
    }

    private void dispatch(SelectionKey key) {
        Handler handler = (Handler) key.attachment();
        try {
            if (key.isValid()) {
                handler.onReady(key);
            }
        } catch (Throwable t) {
            handler.onFailure(t);
        }
        fireNotifications();
    }

    private void runTasks() {
        Runnable task;
        synchronized (tasks) {
            while ((task = tasks.poll()) != null) {
                runnable.add(task);
            }
        }
        while ((task = runnable.poll()) != null) {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("{}: task failed", thread.getName(), t);
            }
            fireNotifications();
        }
    }

    /** -1: a timer is due; 0: none (select blocks until woken); otherwise milliseconds until the next. */
    private long nextTimeoutMs() {
        Timer t;
        while ((t = timers.peek()) != null && t.cancelled) {
            timers.poll();
        }
        if (t == null) {
            return 0;
        }
        long nanos = t.deadline - System.nanoTime();
        return nanos <= 0 ? -1 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    private void runTimers() {
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && (t.cancelled || t.deadline - now <= 0)) {
            timers.poll();
            if (!t.cancelled) {
                t.cancelled = true;
                try {
                    t.task.run();
                } catch (Throwable e) {
                    LOG.error("{}: timer failed", thread.getName(), e);
                }
            }
        }
    }

    private void fireNotifications() {
        // bounded rounds: a listener that re-arms a non-empty queue is served again, but never in an endless loop
        for (int round = 0; round < 8 && !notifications.isEmpty(); round++) {
            ArrayList<TcpCompletionQueue> due = notifications;
            notifications = firing;
            firing = due;
            for (int i = 0; i < due.size(); i++) {
                TcpCompletionQueue cq = due.get(i);
                cq.notificationQueued = false;
                cq.fireIfArmed();
            }
            due.clear();
        }
    }

    private void shutdown() {
        try {
            for (SelectionKey key : selector.keys()) {
                try {
                    ((Handler) key.attachment()).onShutdown();
                } catch (Throwable t) {
                    LOG.debug("{}: shutdown of a channel failed", thread.getName(), t);
                }
            }
            selector.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: closing the selector failed", thread.getName(), e);
        }
    }
}
