package dev.rtrs.test.support;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * What a long test leaks if it leaks: direct buffer memory and live threads, taken before and after and compared
 * with a margin.
 *
 * @param directBytes direct buffer memory in use
 * @param directCount direct buffers alive
 * @param threads     live threads
 */
public record ResourceSnapshot(long directBytes, long directCount, int threads) {

    public static ResourceSnapshot take() {
        long bytes = 0;
        long count = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                bytes = pool.getMemoryUsed();
                count = pool.getCount();
            }
        }
        return new ResourceSnapshot(
                bytes, count, ManagementFactory.getThreadMXBean().getThreadCount());
    }

    /** Whether this (later) snapshot stays within the margins above {@code before}. */
    public boolean within(ResourceSnapshot before, long directMargin, int threadMargin) {
        return directBytes - before.directBytes <= directMargin && threads - before.threads <= threadMargin;
    }

    /**
     * The lines of the heap's class histogram (instances, bytes, class) whose class name contains {@code filter}, at
     * most {@code lines} of them: who holds what a leak keeps alive.
     */
    public static String histogram(String filter, int lines) {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "gcClassHistogram",
                            new Object[] {null},
                            new String[] {String[].class.getName()});
            StringBuilder s = new StringBuilder();
            int n = 0;
            for (String line : String.valueOf(text).split("\n")) {
                if (line.contains(filter) && n++ < lines) {
                    s.append(line).append('\n');
                }
            }
            return s.toString();
        } catch (JMException e) {
            return "no class histogram: " + e.getMessage();
        }
    }

    @Override
    public String toString() {
        return (directBytes >> 10) + " KiB direct in " + directCount + " buffers, " + threads + " threads";
    }
}
