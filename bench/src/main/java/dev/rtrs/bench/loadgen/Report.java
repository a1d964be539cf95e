package dev.rtrs.bench.loadgen;

import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** What the load generator prints: a progress line while a job runs, and each job's figures at its end. */
final class Report {

    private final PrintStream out;
    private final PrintStream progress;
    /** On a terminal the progress line is rewritten in place; in a log each one is a line of its own. */
    private final boolean terminal;

    Report(PrintStream out, PrintStream progress, boolean terminal) {
        this.out = out;
        this.progress = progress;
        this.terminal = terminal;
    }

    void header(LoadOptions o, String target) {
        out.printf(
                Locale.ROOT,
                "loadgen: %s; %d cores, Java %s; %s s per job%s%s%s%n",
                target,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                number(o.runtimeSeconds()),
                o.rampSeconds() > 0 ? " after " + number(o.rampSeconds()) + " s of ramp" : "",
                o.warmupSeconds() > 0 ? ", " + number(o.warmupSeconds()) + " s of warm-up first" : "",
                o.verify() ? ", verify" : "");
    }

    void progress(JobRunner.Progress p) {
        Histogram h = p.interval();
        double iops = p.seconds() > 0 ? h.getTotalCount() / p.seconds() : 0;
        String line = String.format(
                Locale.ROOT,
                "%s [%4.0f/%.0f s%s] %,10.0f IOPS %9.1f MiB/s  p50 %s us  p99 %s us",
                p.job().name(),
                p.elapsed(),
                p.total(),
                p.ramping() ? " ramp" : "",
                iops,
                iops * p.job().blockSize() / (1 << 20),
                micros(h.getValueAtPercentile(50)),
                micros(h.getValueAtPercentile(99)));
        if (terminal) {
            progress.print("\r" + line + "   ");
        } else {
            progress.println(line);
        }
        progress.flush();
    }

    void result(JobRunner.Result r) {
        if (terminal) {
            progress.print("\r");
            progress.flush();
        }
        Workload w = r.job();
        out.printf(
                Locale.ROOT,
                "%s: %s bs=%s iodepth=%d%s, %.2f s measured%n",
                w.name(),
                w.pattern().fioName(),
                Sizes.format(w.blockSize()),
                w.ioDepth(),
                w.readsOnly() || w.writesOnly() ? "" : " rwmixread=" + w.readPercent(),
                r.seconds());
        direction("read ", r.reads(), r);
        direction("write", r.writes(), r);
        Histogram all = r.all();
        out.printf(
                Locale.ROOT,
                "  lat (us): min %s  p50 %s  p99 %s  p99.9 %s  max %s  mean %s%n",
                micros(all.getMinValue()),
                micros(all.getValueAtPercentile(50)),
                micros(all.getValueAtPercentile(99)),
                micros(all.getValueAtPercentile(99.9)),
                micros(all.getMaxValue()),
                micros((long) all.getMean()));
        out.printf(Locale.ROOT, "  heap: %,.0f bytes allocated per IO (all threads)%n", r.allocatedPerIo());
        if (r.errors() > 0) {
            out.printf(Locale.ROOT, "  errors: %d, the first: %s%n", r.errors(), r.firstError());
        }
        if (r.checked() > 0 || r.mismatches() > 0) {
            out.printf(
                    Locale.ROOT, "  verify: %,d reads checked, %d mismatching blocks%n", r.checked(), r.mismatches());
            if (r.firstMismatch() != null) {
                out.println("  first mismatch: " + r.firstMismatch());
            }
        }
        out.printf(
                Locale.ROOT,
                "SUMMARY %s iops=%.0f mibps=%.1f p50_us=%s p99_us=%s p999_us=%s errors=%d mismatches=%d%n",
                w.name(),
                r.iops(),
                r.mibPerSecond(),
                micros(all.getValueAtPercentile(50)),
                micros(all.getValueAtPercentile(99)),
                micros(all.getValueAtPercentile(99.9)),
                r.errors(),
                r.mismatches());
        out.flush();
    }

    private void direction(String name, Histogram h, JobRunner.Result r) {
        if (h.getTotalCount() == 0) {
            return;
        }
        double iops = r.seconds() > 0 ? h.getTotalCount() / r.seconds() : 0;
        out.printf(
                Locale.ROOT,
                "  %s: IOPS %,.0f  BW %,.1f MiB/s  (%,d IOs)%n",
                name,
                iops,
                iops * r.job().blockSize() / (1 << 20),
                h.getTotalCount());
    }

    /** Nanoseconds as microseconds: one decimal below 100 us, whole above. */
    static String micros(long nanos) {
        double us = nanos / 1000.0;
        return us < 100 ? String.format(Locale.ROOT, "%.1f", us) : String.format(Locale.ROOT, "%.0f", us);
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
