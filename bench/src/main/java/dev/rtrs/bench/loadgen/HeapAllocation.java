package dev.rtrs.bench.loadgen;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/** Heap bytes allocated by the live threads of this JVM, as the JVM counts them per thread. */
final class HeapAllocation {

    private HeapAllocation() {}

    /** The sum over live threads; threads that ended meanwhile drop out, so read it over a steady run. */
    static long allThreads() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long allocated : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, allocated);
        }
        return total;
    }
}
