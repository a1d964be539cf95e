package dev.rtrs.block.server.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.FuzzSettings;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a fuzz run saw, per family, and the findings: cases whose outcome breaks a rule, with how to reproduce them. */
final class FuzzStats {

    /** The families of cases, with their share of the run. */
    enum Family {
        CON_REQ(8, false),
        INFO_REQ(2, false),
        IMM(6, false),
        RKEY(2, false),
        RTRS_MSG(14, true),
        RNBD_IO(46, true),
        RNBD_OPEN(8, true),
        RNBD_CLOSE(4, true),
        RNBD_RAW(10, true);

        final int weight;
        final boolean rnbd;

        Family(int weight, boolean rnbd) {
            this.weight = weight;
            this.rnbd = rnbd;
        }

        static int totalWeight() {
            int total = 0;
            for (Family f : values()) {
                total += f.weight;
            }
            return total;
        }
    }

    /** Kinds of findings. */
    enum Problem {
        /** A request the case knows to be invalid got errno 0 (or a connection that must be refused was accepted). */
        ACCEPTED,
        /** Neither an answer nor a closed connection within the case timeout. */
        STUCK,
        /** A response for a chunk that had no request. */
        STRAY_RESPONSE,
        /** A valid connect or INFO_REQ was refused. */
        REFUSED_VALID
    }

    record Finding(Family family, long index, Problem problem, String what, String detail) {}

    static final class Counts {
        long cases;
        long ok;
        long refusedErrno;
        long closed;
        long silent;
        long links;
        final Map<String, Long> errnos = new TreeMap<>();
    }

    private static final int KEPT_PER_PROBLEM = 25;

    private final FuzzSettings settings;
    private final Map<Family, Counts> counts = new EnumMap<>(Family.class);
    private final Map<Problem, Long> problemCounts = new EnumMap<>(Problem.class);
    private final List<Finding> findings = new ArrayList<>();

    FuzzStats(FuzzSettings settings) {
        this.settings = settings;
        for (Family f : Family.values()) {
            counts.put(f, new Counts());
        }
    }

    Counts of(Family f) {
        return counts.get(f);
    }

    synchronized void errno(Family f, int errno) {
        Counts c = counts.get(f);
        c.cases++;
        if (errno == 0) {
            c.ok++;
        } else {
            c.refusedErrno++;
            c.errnos.merge(Errno.name(errno), 1L, Long::sum);
        }
    }

    synchronized void closed(Family f) {
        counts.get(f).cases++;
        counts.get(f).closed++;
    }

    synchronized void silent(Family f) {
        counts.get(f).cases++;
        counts.get(f).silent++;
    }

    synchronized void link(Family f) {
        counts.get(f).links++;
    }

    synchronized void finding(Family f, long index, Problem p, String what, String detail) {
        problemCounts.merge(p, 1L, Long::sum);
        long kept = findings.stream()
                .filter(x -> x.problem() == p && x.family() == f)
                .count();
        if (kept < KEPT_PER_PROBLEM) {
            findings.add(new Finding(f, index, p, what, detail));
        }
    }

    synchronized long total() {
        return counts.values().stream().mapToLong(c -> c.cases).sum();
    }

    synchronized List<Finding> findings() {
        return List.copyOf(findings);
    }

    synchronized long count(Problem p) {
        return problemCounts.getOrDefault(p, 0L);
    }

    synchronized String report() {
        StringBuilder s = new StringBuilder("fuzz run, seed " + settings.seed() + ", " + total() + " cases\n");
        for (Map.Entry<Family, Counts> e : counts.entrySet()) {
            Counts c = e.getValue();
            s.append(String.format(
                    "  %-10s %7d cases: %6d ok, %6d errno, %5d closed, %5d silent, %5d links  %s%n",
                    e.getKey(), c.cases, c.ok, c.refusedErrno, c.closed, c.silent, c.links, c.errnos));
        }
        s.append("  findings: ").append(problemCounts).append('\n');
        for (Finding f : findings) {
            s.append("    ")
                    .append(f.problem())
                    .append(": ")
                    .append(f.what())
                    .append(" -> ")
                    .append(f.detail())
                    .append("; ")
                    .append(settings.reproduce(f.family().name(), f.index()))
                    .append('\n');
        }
        return s.toString();
    }
}
