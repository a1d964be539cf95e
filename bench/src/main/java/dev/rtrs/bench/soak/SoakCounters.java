package dev.rtrs.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What the workers and the fault injector did so far; any thread updates them, the main thread reads them. */
final class SoakCounters {

    /** Errors and mismatches described in the output: the first ones, which the rest usually follow from. */
    static final int MAX_DESCRIBED = 10;

    final LongAdder reads = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder readBytes = new LongAdder();
    final LongAdder writtenBytes = new LongAdder();
    /** Successful reads with at least one block whose content the model knew. */
    final LongAdder verifiedReads = new LongAdder();

    final LongAdder checkedBlocks = new LongAdder();
    /** 4 KiB blocks a read found other than the model said. */
    final LongAdder mismatches = new LongAdder();

    final LongAdder ioErrors = new LongAdder();
    final LongAdder flaps = new LongAdder();
    /** Faults not made: due while another was under way, or a flap while a path was down. */
    final LongAdder skippedFaults = new LongAdder();

    final LongAdder restarts = new LongAdder();
    final AtomicLong longestIoNanos = new AtomicLong();
    /** The longest a fault took from the break until every path of the client was connected again, per kind. */
    final AtomicLong longestFlapRecoveryNanos = new AtomicLong();

    final AtomicLong longestRestartRecoveryNanos = new AtomicLong();
    /** Things that went wrong besides IO: a fault that could not be injected, paths that did not come back. */
    final LongAdder faultFailures = new LongAdder();

    private final List<String> described = new ArrayList<>();

    long ios() {
        return reads.sum() + writes.sum();
    }

    void ioDone(boolean write, int bytes, long latencyNanos) {
        (write ? writes : reads).increment();
        (write ? writtenBytes : readBytes).add(bytes);
        longestIoNanos.accumulateAndGet(latencyNanos, Math::max);
    }

    /** Keeps the description of one of the first problems for the summary, and prints it now. */
    void describe(String problem) {
        synchronized (described) {
            if (described.size() < MAX_DESCRIBED) {
                described.add(problem);
                System.out.println("soak: " + problem);
            }
        }
    }

    List<String> described() {
        synchronized (described) {
            return List.copyOf(described);
        }
    }
}
