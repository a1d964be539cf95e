package dev.rtrs.bench.loadgen;

import java.util.Locale;

/**
 * One job of the load generator, as fio names its parameters.
 *
 * @param name        how the job is reported, e.g. {@code randread-4k-qd32}
 * @param pattern     which IOs at which offsets
 * @param blockSize   bytes per IO
 * @param ioDepth     IOs kept in flight
 * @param readPercent share of reads in a mixed pattern (fio's {@code rwmixread}); 100 or 0 for the others
 */
record Workload(String name, Pattern pattern, int blockSize, int ioDepth, int readPercent) {

    /** fio's {@code rw=} values. */
    enum Pattern {
        READ(false, 100),
        WRITE(false, 0),
        RW(false, -1),
        RANDREAD(true, 100),
        RANDWRITE(true, 0),
        RANDRW(true, -1);

        final boolean random;
        /** 100 for reads only, 0 for writes only, -1 for a mix. */
        final int fixedReadPercent;

        Pattern(boolean random, int fixedReadPercent) {
            this.random = random;
            this.fixedReadPercent = fixedReadPercent;
        }

        String fioName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Pattern parse(String text) {
            for (Pattern p : values()) {
                if (p.fioName().equals(text) || (p == RW && text.equals("readwrite"))) {
                    return p;
                }
            }
            throw new IllegalArgumentException(
                    "unknown pattern '" + text + "': read, write, rw, randread, randwrite" + " or randrw");
        }
    }

    Workload {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("block size must be positive: " + blockSize);
        }
        if (ioDepth < 1 || ioDepth > 4096) {
            throw new IllegalArgumentException("iodepth must be 1..4096: " + ioDepth);
        }
        if (readPercent < 0 || readPercent > 100) {
            throw new IllegalArgumentException("rwmixread must be 0..100: " + readPercent);
        }
    }

    static Workload of(Pattern pattern, int blockSize, int ioDepth, int mixReadPercent) {
        int reads = pattern.fixedReadPercent >= 0 ? pattern.fixedReadPercent : mixReadPercent;
        String name = pattern.fioName() + "-" + Sizes.format(blockSize) + "-qd" + ioDepth;
        return new Workload(name, pattern, blockSize, ioDepth, reads);
    }

    /** Parses a name of the form {@code <pattern>-<block size>-qd<depth>}, e.g. {@code write-1m-qd8}. */
    static Workload parse(String name, int mixReadPercent) {
        String[] parts = name.split("-");
        if (parts.length != 3 || !parts[2].startsWith("qd")) {
            throw new IllegalArgumentException(
                    "workload '" + name + "': expected <pattern>-<block size>-qd<depth>," + " e.g. randread-4k-qd32");
        }
        Pattern pattern = Pattern.parse(parts[0]);
        int reads = pattern.fixedReadPercent >= 0 ? pattern.fixedReadPercent : mixReadPercent;
        return new Workload(name, pattern, Sizes.parseInt(parts[1]), Integer.parseInt(parts[2].substring(2)), reads);
    }

    boolean writesOnly() {
        return readPercent == 0;
    }

    boolean readsOnly() {
        return readPercent == 100;
    }
}
