package dev.rtrs.test.support;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Captures what the logger writes to {@code System.err} (slf4j-simple's default target, which it looks up on every
 * line): counts WARN and ERROR lines and stack-trace lines, groups them by a pattern (logger and message with numbers
 * and ids blanked), and echoes only the first lines so that a flood does not flood the test output too.
 */
public final class LogCapture implements AutoCloseable {

    private static final int MAX_PATTERNS = 512;
    private static final int PATTERN_LENGTH = 110;
    private static final int KEPT_TRACES = 20;

    private final PrintStream original;
    private final int echoLimit;
    private long lines;
    private long warnings;
    private long errors;
    private long traceLines;
    private final Map<String, Long> patterns = new HashMap<>();
    private final List<String> traces = new ArrayList<>();

    private LogCapture(PrintStream original, int echoLimit) {
        this.original = original;
        this.echoLimit = echoLimit;
    }

    /** Redirects {@code System.err} until {@link #close()}; at most {@code echoLimit} lines reach the real one. */
    public static LogCapture start(int echoLimit) {
        LogCapture capture = new LogCapture(System.err, echoLimit);
        System.setErr(new PrintStream(capture.new LineSink(), true, StandardCharsets.UTF_8));
        return capture;
    }

    private synchronized void line(String line) {
        lines++;
        if (lines <= echoLimit) {
            original.println(line);
        } else if (lines == echoLimit + 1) {
            original.println("[log capture] further log lines are counted, not shown");
        }
        boolean warn = line.contains(" WARN ");
        boolean error = line.contains(" ERROR ");
        if (warn) {
            warnings++;
        }
        if (error) {
            errors++;
        }
        if (line.startsWith("\tat ") || line.startsWith("Caused by") || line.contains("Exception")) {
            traceLines++;
            if (traces.size() < KEPT_TRACES) {
                traces.add(line);
            }
        }
        boolean leveled = warn || error || line.contains(" INFO ");
        if (leveled && (patterns.size() < MAX_PATTERNS || patterns.containsKey(pattern(line)))) {
            patterns.merge(pattern(line), 1L, Long::sum);
        }
    }

    /** The line without its thread, with digits and hex ids blanked, so that repeats of one message group. */
    private static String pattern(String line) {
        int start = line.indexOf(']');
        String s = start >= 0 ? line.substring(start + 1) : line;
        s = s.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>").replaceAll("[0-9]+", "#");
        return s.length() > PATTERN_LENGTH ? s.substring(0, PATTERN_LENGTH) : s;
    }

    public synchronized long lines() {
        return lines;
    }

    public synchronized long warnings() {
        return warnings;
    }

    public synchronized long errors() {
        return errors;
    }

    /** Lines of stack traces or exception names. */
    public synchronized long traceLines() {
        return traceLines;
    }

    /** The first lines of stack traces seen. */
    public synchronized List<String> traces() {
        return List.copyOf(traces);
    }

    /** The most frequent INFO/WARN/ERROR patterns with their counts, most frequent first. */
    public synchronized List<Map.Entry<String, Long>> topPatterns(int n) {
        return patterns.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(n)
                .map(e -> Map.entry(e.getKey(), e.getValue()))
                .toList();
    }

    /** A few lines for a report: counts, then the top patterns. */
    public String summary(int top) {
        StringBuilder s = new StringBuilder();
        s.append("log: ")
                .append(lines())
                .append(" lines, ")
                .append(warnings())
                .append(" WARN, ")
                .append(errors())
                .append(" ERROR, ")
                .append(traceLines())
                .append(" stack-trace lines");
        for (Map.Entry<String, Long> e : topPatterns(top)) {
            s.append("\n  ").append(e.getValue()).append(" x").append(e.getKey());
        }
        return s.toString();
    }

    /** Prints to the real {@code System.err}, past the echo limit. */
    public void println(String text) {
        original.println(text);
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(original);
    }

    /** Splits the byte stream into lines. */
    private final class LineSink extends OutputStream {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                line(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }
}
