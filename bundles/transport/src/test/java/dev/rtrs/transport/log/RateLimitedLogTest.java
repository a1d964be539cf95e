package dev.rtrs.transport.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class RateLimitedLogTest {

    /** A logger that keeps the format and first argument of each warning. */
    private static Logger recording(List<String> lines) {
        return (Logger) Proxy.newProxyInstance(
                RateLimitedLogTest.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                    if (method.getName().equals("warn")) {
                        lines.add(args[0] + " " + (args.length > 1 ? String.valueOf(args[1]) : ""));
                    }
                    return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
                });
    }

    @Test
    void aFloodOfOneCauseIsCutAndCountedWithoutSilencingOthers() throws Exception {
        List<String> lines = new ArrayList<>();
        RateLimitedLog log = new RateLimitedLog(recording(lines), 3, Duration.ofMillis(200));
        for (int i = 0; i < 1000; i++) {
            log.warn("bad-connect", "refused {}", i);
        }
        log.warn("protocol-error", "other cause {}", 1);
        assertEquals(4, lines.size(), lines.toString());
        assertEquals(997, log.suppressed("bad-connect"));

        Thread.sleep(300);
        log.warn("bad-connect", "refused {}", 1000);
        assertTrue(
                lines.get(4).contains("similar warnings suppressed")
                        && lines.get(4).contains("bad-connect"),
                lines.toString());
        assertTrue(lines.get(5).startsWith("refused"), lines.toString());
        assertEquals(0, log.suppressed("bad-connect"));
    }
}
