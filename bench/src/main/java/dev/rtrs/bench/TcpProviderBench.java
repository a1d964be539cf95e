package dev.rtrs.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a test) of the tcp verbs provider between two processes on loopback: RDMA_WRITE_WITH_IMM
 * messages per second at 4 KiB and bytes per second at 1 MiB, each next to a plain Java socket stream that
 * moves the same bytes between the same two processes in the same run.
 *
 * <p>Run: {@code java -jar bench/target/rtrs-bench.jar [--rounds 3] [--seconds 2] [--server-jvm-arg ARG]...}. This
 * process is the client; it starts the server JVM itself with the same class path and JVM settings (plus any
 * {@code --server-jvm-arg}) and ends it when done.
 */
public final class TcpProviderBench {

    private static final int KIB4 = 4096;
    private static final int MIB = 1 << 20;

    private TcpProviderBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("server")) {
            BenchServer.main(args);
            return;
        }
        int rounds = intArg(args, "--rounds", 3);
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        double seconds = Double.parseDouble(stringArg(args, "--seconds", "2"));
        Process server = startServer(args);
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = out.readLine();
            while (ready != null && !ready.startsWith("READY ")) {
                ready = out.readLine();
            }
            if (ready == null) {
                throw new IllegalStateException("the server did not start: " + ready);
            }
            String[] ports = ready.split(" ");
            int verbsPort = Integer.parseInt(ports[1]);
            int socketPort = Integer.parseInt(ports[2]);
            try (BenchClient client = new BenchClient(verbsPort, socketPort)) {
                // warm-up: JIT both processes on both paths; not reported
                client.verbs(KIB4, 128, 16, 0.5);
                client.verbs(MIB, 16, 1, 0.5);
                client.socket(KIB4, 50_000);
                client.socket(MIB, 500);
                Result small = new Result();
                Result large = new Result();
                for (int r = 0; r < rounds; r++) {
                    BenchClient.Run v = client.verbs(KIB4, 128, 16, seconds);
                    small.verbs(v, client.socket(KIB4, v.messages()));
                    BenchClient.Run w = client.verbs(MIB, 16, 1, seconds);
                    large.verbs(w, client.socket(MIB, w.messages()));
                }
                print(rounds, seconds, loadBefore, small, large);
            }
        } finally {
            server.getOutputStream().close();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** The best (fastest) round of each path. */
    private static final class Result {
        BenchClient.Run bestVerbs;
        BenchClient.Run bestSocket;

        void verbs(BenchClient.Run v, BenchClient.Run s) {
            if (bestVerbs == null || v.perSecond() > bestVerbs.perSecond()) {
                bestVerbs = v;
            }
            if (bestSocket == null || s.perSecond() > bestSocket.perSecond()) {
                bestSocket = s;
            }
        }
    }

    private static void print(int rounds, double seconds, double loadBefore, Result small, Result large) {
        System.out.printf(
                Locale.ROOT,
                "tcp verbs provider vs plain socket: two processes on loopback, %d cores,"
                        + " Java %s, best of %d rounds of %.1f s (load average before: %.2f)%n%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                rounds,
                seconds,
                loadBefore);
        System.out.printf(Locale.ROOT, "%-27s %18s %18s %7s%n", "", "tcp verbs", "plain socket", "ratio");
        System.out.printf(
                Locale.ROOT,
                "%-27s %12.0f msg/s %12.0f msg/s %7.2f%n",
                "4 KiB RDMA_WRITE_WITH_IMM",
                small.bestVerbs.perSecond(),
                small.bestSocket.perSecond(),
                small.bestVerbs.perSecond() / small.bestSocket.perSecond());
        System.out.printf(
                Locale.ROOT,
                "%-27s %14.2f GB/s %14.2f GB/s %7.2f%n",
                "1 MiB RDMA_WRITE_WITH_IMM",
                large.bestVerbs.bytesPerSecond() / 1e9,
                large.bestSocket.bytesPerSecond() / 1e9,
                large.bestVerbs.bytesPerSecond() / large.bestSocket.bytesPerSecond());
        System.out.printf(
                Locale.ROOT,
                "%nverbs client heap allocation: %.1f bytes per 4 KiB message, %.1f per 1 MiB"
                        + " message (whole process, including the benchmark's own bookkeeping)%n",
                small.bestVerbs.allocatedPerMessage(),
                large.bestVerbs.allocatedPerMessage());
    }

    private static Process startServer(String[] args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>();
        command.add(java);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // the same JVM settings, but a profiling run records the client only
            if (!arg.startsWith("-XX:StartFlightRecording") && !arg.startsWith("-agentpath")) {
                command.add(arg);
            }
        }
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--server-jvm-arg")) {
                command.add(args[i + 1]);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TcpProviderBench.class.getName());
        command.add("server");
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static int intArg(String[] args, String name, int fallback) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
    }

    private static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
