package dev.rtrs.bench.soak;

import dev.rtrs.bench.loadgen.Sizes;

/**
 * The soak program's command line.
 *
 * @param seconds          how long IO runs
 * @param workers          threads, each with one IO in flight at a time in a region of the device of its own
 * @param readPercent      share of reads among the IOs
 * @param flapSeconds      interval of the path flaps; 0 for none
 * @param restartSeconds   interval of the server restarts; 0 for none
 * @param restartDownMs    how long the server stays down in a restart
 * @param size             bytes of the memory export
 * @param alwaysInvalidate the server's always_invalidate
 * @param progressSeconds  interval of the progress line
 */
record SoakOptions(
        double seconds,
        int workers,
        int readPercent,
        double flapSeconds,
        double restartSeconds,
        long restartDownMs,
        long size,
        boolean alwaysInvalidate,
        double progressSeconds) {

    /** Most workers: each needs a region of at least the largest IO, and a thread. */
    static final int MAX_WORKERS = 64;

    static final String USAGE = """
            usage: soak [options]
              --seconds S               how long IO runs (default 60)
              --workers N               threads with one IO in flight each, in a region of the device of their own
                                        (default 4, at most 64)
              --read-percent P          share of reads among the IOs (default 50)
              --flap-seconds S          close one path of the session on the server every S seconds, the two
                                        paths in turn; 0 for none, else at least 1 (default 5)
              --restart-seconds S       close the whole server every S seconds and start it again on the same
                                        addresses, port and storage; 0 for none, else at least 1 (default 20)
              --restart-down-ms MS      how long the server stays down in a restart (default 500)
              --size SIZE               size of the memory export (default 256M)
              --always-invalidate on|off  the server's always_invalidate (default on)
              --progress S              seconds between progress lines (default 5)
            Exit code: 0 when every read found what was last written, no IO failed or hung and every path came
            back after each fault; 1 otherwise; 2 for a bad command line.
            """;

    static SoakOptions parse(String[] args) {
        double seconds = 60;
        int workers = 4;
        int readPercent = 50;
        double flapSeconds = 5;
        double restartSeconds = 20;
        long restartDownMs = 500;
        long size = 256L << 20;
        boolean alwaysInvalidate = true;
        double progressSeconds = 5;
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        USAGE.contains("  " + option + " ") ? option + " needs a value" : "unknown option: " + option);
            }
            String v = args[i + 1];
            switch (option) {
                case "--seconds" -> seconds = positive(option, Double.parseDouble(v));
                case "--workers" -> workers = (int) inRange(option, Integer.parseInt(v), 1, MAX_WORKERS);
                case "--read-percent" -> readPercent = (int) inRange(option, Integer.parseInt(v), 0, 100);
                case "--flap-seconds" -> flapSeconds = interval(option, Double.parseDouble(v));
                case "--restart-seconds" -> restartSeconds = interval(option, Double.parseDouble(v));
                case "--restart-down-ms" -> restartDownMs = inRange(option, Long.parseLong(v), 0, 600_000);
                case "--size" -> size = Sizes.parse(v);
                case "--always-invalidate" -> alwaysInvalidate = onOff(option, v);
                case "--progress" -> progressSeconds = positive(option, Double.parseDouble(v));
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        if (size / workers < Worker.MAX_IO_SIZE) {
            throw new IllegalArgumentException("--size " + Sizes.format(size) + " leaves " + workers
                    + " workers less than " + Sizes.format(Worker.MAX_IO_SIZE) + " each");
        }
        return new SoakOptions(
                seconds,
                workers,
                readPercent,
                flapSeconds,
                restartSeconds,
                restartDownMs,
                size,
                alwaysInvalidate,
                progressSeconds);
    }

    private static double positive(String option, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(option + " must be positive: " + value);
        }
        return value;
    }

    /** 0 for never, or at least a second: a fault takes seconds to recover from anyway. */
    private static double interval(String option, double value) {
        if (!(value == 0 || value >= 1)) {
            throw new IllegalArgumentException(option + " must be 0 (never) or at least 1: " + value);
        }
        return value;
    }

    private static long inRange(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be " + min + ".." + max + ": " + value);
        }
        return value;
    }

    private static boolean onOff(String option, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(option + " takes on or off: " + value);
        };
    }
}
