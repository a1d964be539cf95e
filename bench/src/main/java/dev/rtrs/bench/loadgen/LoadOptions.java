package dev.rtrs.bench.loadgen;

import java.util.ArrayList;
import java.util.List;

/**
 * The load generator's command line.
 *
 * @param jobs              the jobs, run one after the other on the same device
 * @param runtimeSeconds    how long each job is measured
 * @param rampSeconds       how long each job runs before it is measured
 * @param warmupSeconds     how long the device is warmed up before the first job, not reported
 * @param numberIos         most IOs of one job, ramp included (the run also ends at its time)
 * @param verify            write a pattern and check it on read
 * @param target            {@code rnbd}: the appliance's demo in this process; {@code memory}: the backend alone
 * @param size              bytes of the memory export
 * @param alwaysInvalidate  the server's always_invalidate
 * @param paths             paths of the session: 1 (127.0.0.1) or 2 (127.0.0.1 and 127.0.0.2)
 * @param progressSeconds   interval of the progress line; 0 for none
 * @param ceilingSeconds    when positive, measure only the loopback TCP ceiling, this long
 */
record LoadOptions(
        List<Workload> jobs,
        double runtimeSeconds,
        double rampSeconds,
        double warmupSeconds,
        long numberIos,
        boolean verify,
        String target,
        long size,
        boolean alwaysInvalidate,
        int paths,
        double progressSeconds,
        double ceilingSeconds) {

    static final String USAGE = """
            usage: loadgen [options]
              --workload NAME[,NAME..]  jobs named <pattern>-<bs>-qd<depth>, e.g. randread-4k-qd32,write-1m-qd8
              --rw PATTERN              read, write, rw, randread, randwrite, randrw (default randread)
              --bs SIZE                 bytes per IO (default 4k)
              --iodepth N               IOs in flight (default 1)
              --rwmixread P             percent of reads in rw and randrw (default 50)
              --runtime S               seconds each job is measured (default 10)
              --ramp-time S             seconds each job runs before it is measured (default 0)
              --number-ios N            most IOs of one job (default 1000000000)
              --warmup S                seconds of mixed 4k and 1m IO before the first job, not reported (default 0)
              --verify                  write block number and generation into every block and check them on read;
                                        a read-only job first writes the whole device once
              --target rnbd|memory      rnbd (default): RNBD server and client in this process over the tcp
                                        provider, as the appliance's demo; memory: the memory backend alone
                                        (it completes on the caller's thread: one IO at a time whatever the depth)
              --size SIZE               size of the memory export (default 256M)
              --always-invalidate on|off  the server's always_invalidate (default on)
              --paths 1|2               paths of the session (default 2: 127.0.0.1 and 127.0.0.2)
              --progress S              seconds between progress lines, 0 for none (default 1)
              --tcp-ceiling S           measure only one loopback TCP stream of 1 MiB writes for S seconds
            Exit code: 0, or 1 when an IO failed or verify found a mismatch, 2 for a bad command line.
            """;

    static LoadOptions parse(String[] args) {
        List<Workload> named = new ArrayList<>();
        Workload.Pattern pattern = Workload.Pattern.RANDREAD;
        int bs = 4096;
        int depth = 1;
        int mix = 50;
        double runtime = 10;
        double ramp = 0;
        double warmup = 0;
        long numberIos = 1_000_000_000L;
        boolean verify = false;
        String target = "rnbd";
        long size = 256L << 20;
        boolean alwaysInvalidate = true;
        int paths = 2;
        double progress = 1;
        double ceiling = 0;
        List<String> workloadNames = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--verify")) {
                verify = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        USAGE.contains("  " + a + " ") ? a + " needs a value" : "unknown option: " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--workload" -> workloadNames.addAll(List.of(v.split(",")));
                case "--rw" -> pattern = Workload.Pattern.parse(v);
                case "--bs" -> bs = Sizes.parseInt(v);
                case "--iodepth" -> depth = Integer.parseInt(v);
                case "--rwmixread" -> mix = Integer.parseInt(v);
                case "--runtime" -> runtime = positive(a, Double.parseDouble(v));
                case "--ramp-time" -> ramp = Math.max(0, Double.parseDouble(v));
                case "--warmup" -> warmup = Math.max(0, Double.parseDouble(v));
                case "--number-ios" -> numberIos = (long) positive(a, Long.parseLong(v));
                case "--target" -> target = oneOf(a, v, "rnbd", "memory");
                case "--size" -> size = Sizes.parse(v);
                case "--always-invalidate" ->
                    alwaysInvalidate = oneOf(a, v, "on", "off").equals("on");
                case "--paths" -> paths = Integer.parseInt(oneOf(a, v, "1", "2"));
                case "--progress" -> progress = Math.max(0, Double.parseDouble(v));
                case "--tcp-ceiling" -> ceiling = positive(a, Double.parseDouble(v));
                default -> throw new IllegalArgumentException("unknown option: " + a);
            }
        }
        for (String name : workloadNames) {
            named.add(Workload.parse(name.trim(), mix));
        }
        if (named.isEmpty()) {
            named.add(Workload.of(pattern, bs, depth, mix));
        }
        return new LoadOptions(
                List.copyOf(named),
                runtime,
                ramp,
                warmup,
                numberIos,
                verify,
                target,
                size,
                alwaysInvalidate,
                paths,
                progress,
                ceiling);
    }

    private static double positive(String option, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(option + " must be positive: " + value);
        }
        return value;
    }

    private static String oneOf(String option, String value, String... allowed) {
        for (String s : allowed) {
            if (s.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException(option + " takes one of " + String.join(", ", allowed) + ": " + value);
    }
}
